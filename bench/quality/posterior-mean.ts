/**
 * How much of the face the prior knows, measured in PSNR: the mean of K restores of the same LR face
 * with different seeds (an estimate of the posterior mean, which PSNR rewards) against one restore
 * (a posterior sample, which is what restore() returns) and bicubic. Reads a quality bench output
 * folder in which the same items were run with several `--seed`s (bench/quality/posterior-mean.sh):
 *
 *   node --import tsx bench/quality/posterior-mean.ts [--out bench/out/quality-pmean] [--tag table]
 *       [--hr-dir ../shared/data/faces64/dev] [--min-seeds 8]
 *
 * Groups the records by (face, case, method, tag, settings except the seed), averages the output
 * PNGs of each group with at least `--min-seeds` seeds (the first that many seeds, in seed order)
 * in float, rounds to uint8 and scores the mean with the bench's PSNR/SSIM.
 */
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';
import { benchPaths, psnr, readRecords, readRgb, ssim, stableJson, type QualityRecord, type RgbImage } from '../../packages/eval/src/index.js';

const { values } = parseArgs({
  options: {
    out: { type: 'string', default: fileURLToPath(new URL('../out/quality-pmean', import.meta.url)) },
    tag: { type: 'string', default: 'table' },
    'hr-dir': { type: 'string', default: fileURLToPath(new URL('../../../shared/data/faces64/dev', import.meta.url)) },
    'min-seeds': { type: 'string', default: '8' },
  },
});
const minSeeds = Number(values['min-seeds']);

const groups = new Map<string, QualityRecord[]>();
for (const r of readRecords(benchPaths.results(values.out)).records) {
  if (r.tag !== values.tag) continue;
  const { seed: _seed, ...rest } = r.settings;
  const key = `${r.face}|${r.case}|${r.method}|${stableJson(rest)}`;
  groups.set(key, [...(groups.get(key) ?? []), r]);
}
const bicubic = new Map<string, QualityRecord>();
for (const [, rs] of groups) if (rs[0].method === 'bicubic') bicubic.set(`${rs[0].face}|${rs[0].case}`, rs[0]);

/** Element-wise mean of uint8 images, rounded half up. */
function meanImage(images: readonly RgbImage[]): RgbImage {
  const { width, height } = images[0];
  const data = new Uint8Array(images[0].data.length);
  for (let i = 0; i < data.length; i++) {
    let s = 0;
    for (const img of images) s += img.data[i];
    data[i] = Math.round(s / images.length);
  }
  return { width, height, data };
}

interface Row { method: string; case: number; bicubic: number; sample: number; mean: number; meanSsim: number; sampleSsim: number; bicubicSsim: number }
const rows: Row[] = [];
const hrCache = new Map<string, RgbImage>();
for (const [, rs] of groups) {
  const { method, face } = rs[0];
  const base = bicubic.get(`${face}|${rs[0].case}`);
  if (method === 'bicubic' || !base || rs.length < minSeeds) continue;
  const seeds = [...rs].sort((a, b) => Number(a.settings.seed) - Number(b.settings.seed)).slice(0, minSeeds);
  const outputs = await Promise.all(seeds.map((r) => readRgb(benchPaths.output(values.out, r.tag, r.method, r.settingsHash, r.face, r.case))));
  const hr = hrCache.get(face) ?? (await readRgb(join(values['hr-dir'], face)));
  hrCache.set(face, hr);
  const mean = meanImage(outputs);
  const avg = (f: (r: QualityRecord) => number) => seeds.reduce((s, r) => s + f(r), 0) / seeds.length;
  rows.push({
    method,
    case: rs[0].case,
    bicubic: base.psnr ?? Infinity,
    bicubicSsim: base.ssim,
    sample: avg((r) => r.psnr ?? Infinity),
    sampleSsim: avg((r) => r.ssim),
    mean: psnr(mean, hr),
    meanSsim: ssim(mean, hr),
  });
}
if (rows.length === 0) {
  console.error(`no (face, case, method) in ${values.out} with tag ${values.tag} has ${minSeeds} seeds yet`);
  process.exit(1);
}

const fmt = (x: number, d = 2) => x.toFixed(d);
const summarise = (rs: Row[]) => {
  const m = (f: (r: Row) => number) => rs.reduce((s, r) => s + f(r), 0) / rs.length;
  return { n: rs.length, bicubic: m((r) => r.bicubic), sample: m((r) => r.sample), mean: m((r) => r.mean), bs: m((r) => r.bicubicSsim), ss: m((r) => r.sampleSsim), ms: m((r) => r.meanSsim), wins: rs.filter((r) => r.mean > r.bicubic).length };
};
console.log(`Posterior mean of ${minSeeds} seeds vs one sample (${values.out}, tag ${values.tag}); PSNR dB / SSIM\n`);
console.log('| method | case | items | bicubic | one sample (mean over seeds) | mean of the samples | mean - bicubic (dB) | mean above bicubic |');
console.log('|---|---|---|---|---|---|---|---|');
const methods = [...new Set(rows.map((r) => r.method))].sort();
const cases = [...new Set(rows.map((r) => r.case))].sort((a, b) => a - b);
for (const method of methods) {
  for (const c of [...cases, -1]) {
    const rs = rows.filter((r) => r.method === method && (c < 0 || r.case === c));
    if (rs.length === 0) continue;
    const s = summarise(rs);
    console.log(
      `| ${method} | ${c < 0 ? '**all**' : c} | ${s.n} | ${fmt(s.bicubic)} / ${fmt(s.bs, 4)} | ${fmt(s.sample)} / ${fmt(s.ss, 4)} | ` +
        `${fmt(s.mean)} / ${fmt(s.ms, 4)} | ${s.mean - s.bicubic >= 0 ? '+' : ''}${fmt(s.mean - s.bicubic)} | ${s.wins} / ${s.n} |`,
    );
  }
}
