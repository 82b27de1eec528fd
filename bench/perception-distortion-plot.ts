/**
 * The perception-distortion plane of quality bench reports (issue #16): every (tag, method) row
 * with a PSNR and a descriptor Fréchet distance, whatever methods and tags the reports hold.
 *
 *   pnpm bench pd-plot [--out docs/img/perception-distortion.svg] [--title T] REPORT.json...
 */
import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { basename, dirname } from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';
import { perceptionDistortionSvg, planePoints } from '../packages/eval/src/index.js';

const { values, positionals } = parseArgs({
  options: {
    out: { type: 'string', default: fileURLToPath(new URL('../docs/img/perception-distortion.svg', import.meta.url)) },
    title: { type: 'string', default: 'Perception-distortion plane (quality bench)' },
  },
  allowPositionals: true,
});
if (positionals.length === 0) {
  console.error('usage: pnpm bench pd-plot [--out FILE.svg] [--title T] REPORT.json...');
  process.exit(2);
}
const reports = positionals.map((p) => ({ name: basename(dirname(p)), report: JSON.parse(readFileSync(p, 'utf8')) as unknown }));
const points = planePoints(reports);
mkdirSync(dirname(values.out), { recursive: true });
writeFileSync(values.out, perceptionDistortionSvg(points, values.title));
for (const p of points) console.log(`${p.series}\t${p.label}\tPSNR ${p.psnr.toFixed(2)} dB\tFD ${p.frechet.toFixed(4)}`);
console.log(`wrote ${values.out} (${points.length} points)`);
