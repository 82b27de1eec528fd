/**
 * No-reference image quality of image files (issue #16):
 *
 *   pnpm -s bench iqa --metric niqe FILES...
 *
 * prints `<file>\t<score>` per file (NIQE: the MATLAB release's, on the Y channel, no crop; lower
 * is more natural). NIQE needs at least one 96x96 block and many for a stable score: use it on
 * 256 px faces and whole photos, not 64 px faces. A file it cannot score is reported on stderr and
 * makes the exit status 1.
 */
import { parseArgs } from 'node:util';
import { DifbfsrError } from '../packages/core/src/index.js';
import { niqe, readRgb } from '../packages/eval/src/index.js';

const METRICS = { niqe } as const;

const { values, positionals } = parseArgs({ options: { metric: { type: 'string', default: 'niqe' } }, allowPositionals: true });
const metric = METRICS[values.metric as keyof typeof METRICS];
if (!metric || positionals.length === 0) {
  console.error(`usage: pnpm -s bench iqa --metric <${Object.keys(METRICS).join('|')}> FILES...`);
  process.exit(2);
}
let failed = 0;
for (const file of positionals) {
  try {
    console.log(`${file}\t${metric(await readRgb(file)).toFixed(5)}`);
  } catch (e) {
    if (!(e instanceof DifbfsrError)) throw e;
    console.error(`${file}\t${e.code}: ${e.message}`);
    failed++;
  }
}
process.exit(failed ? 1 : 0);
