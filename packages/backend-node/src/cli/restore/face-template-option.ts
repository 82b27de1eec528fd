import { readFile } from 'node:fs/promises';
import { scaleFaceTemplate, type FaceTemplate, type FiveLandmarks } from '@difbfsr/core';
import { ffhqFaceTemplate } from '@difbfsr/models';
import { CliUsageError } from '../exit-status.js';

/** `--face-template` value naming the FFHQ alignment template (the one the FFHQ presets carry). */
export const FFHQ_TEMPLATE = 'ffhq';

/**
 * The face template `--face-template` names: {@link FFHQ_TEMPLATE}, or a JSON file holding
 * `{"size": 256, "points": [{"x": .., "y": ..}, ...]}`: the five landmarks (eye centres, nose tip,
 * mouth corners, left to right as seen in the image) in a `size x size` crop of the prior's framing.
 * @throws CliUsageError when the file cannot be read or holds no such template.
 */
export async function readFaceTemplateOption(value: string): Promise<FaceTemplate> {
  if (value === FFHQ_TEMPLATE) return ffhqFaceTemplate(512);
  let template: FaceTemplate;
  try {
    template = JSON.parse(await readFile(value, 'utf8')) as FaceTemplate;
  } catch (err) {
    throw new CliUsageError(`--face-template ${value}: neither "${FFHQ_TEMPLATE}" nor a readable JSON file (${(err as Error).message})`);
  }
  try {
    scaleFaceTemplate(template, 1);
  } catch (err) {
    throw new CliUsageError(`--face-template ${value}: ${(err as Error).message}`);
  }
  return { size: template.size, points: template.points.map(({ x, y }) => ({ x, y })) as unknown as FiveLandmarks };
}
