/**
 * The posterior sampler's fidelity knob (issue #14): PSNR, SSIM, identity and the not-same-person
 * share per `fidelity` value of `method: 'posterior'` records, over the items every value has (and
 * bicubic's PSNR on them when a results file holds it), as a markdown table and an SVG plot.
 *
 *   pnpm bench knob-plot [--out docs/img/fidelity-knob.svg] [--tags a,b] RESULTS.jsonl...
 * (`--tags`: only the records of these tags.)
 */
import { mkdirSync, writeFileSync } from 'node:fs';
import { dirname } from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';
import { knobSweep, knobSweepSvg, readRecords } from '../packages/eval/src/index.js';

const { values, positionals } = parseArgs({
  options: {
    out: { type: 'string', default: fileURLToPath(new URL('../docs/img/fidelity-knob.svg', import.meta.url)) },
    tags: { type: 'string' },
  },
  allowPositionals: true,
});
if (positionals.length === 0) {
  console.error('usage: pnpm bench knob-plot [--out FILE.svg] RESULTS.jsonl...');
  process.exit(2);
}
const tags = values.tags?.split(',');
const rows = knobSweep(positionals.flatMap((p) => readRecords(p).records).filter((r) => !tags || tags.includes(r.tag)));
if (rows.length === 0) {
  console.error('no posterior records with a fidelity setting in these files');
  process.exit(1);
}
console.log('| fidelity | items | PSNR (dB) | vs bicubic | SSIM | identity | not same person |');
console.log('|---|---|---|---|---|---|---|');
const b = rows[0];
if (b.bicubicPsnr !== undefined) console.log(`| bicubic | ${b.items} | ${b.bicubicPsnr.toFixed(2)} | - | - | ${b.bicubicIdentity!.toFixed(3)} | - |`);
for (const r of rows) {
  const vs = r.bicubicPsnr === undefined ? '-' : `${r.psnr - r.bicubicPsnr >= 0 ? '+' : ''}${(r.psnr - r.bicubicPsnr).toFixed(2)}`;
  console.log(`| ${r.fidelity} | ${r.items} | ${r.psnr.toFixed(2)} | ${vs} | ${r.ssim.toFixed(4)} | ${r.identity.toFixed(3)} | ${(100 * r.notSamePerson).toFixed(1)}% |`);
}
mkdirSync(dirname(values.out), { recursive: true });
writeFileSync(values.out, knobSweepSvg(rows, `posterior sampler, K = 8: the fidelity knob (${rows[0].items} dev items)`));
console.log(`wrote ${values.out}`);
