import { join, parse } from 'node:path';
import { methodSlug } from './methods.js';

/** Where the quality bench keeps its files under its output folder. */
export const benchPaths = {
  /** One JSON line per finished item, appended by every process. */
  results: (out: string) => join(out, 'results.jsonl'),
  /** The LR input of a face and case (PNG). */
  lr: (out: string, face: string, caseIndex: number) => join(out, 'lr', `${parse(face).name}-c${caseIndex}.png`),
  /** A method's output (PNG). */
  output: (out: string, tag: string, method: string, hash: string, face: string, caseIndex: number) =>
    join(out, 'images', tag, `${methodSlug(method)}-${hash}`, `${parse(face).name}-c${caseIndex}.png`),
  reportJson: (out: string) => join(out, 'report.json'),
  reportMarkdown: (out: string) => join(out, 'report.md'),
  grid: (out: string, tag: string, caseIndex: number) => join(out, `grid-${tag}-case${caseIndex}.png`),
};
