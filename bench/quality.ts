/**
 * The quality bench (issue #5): the paper's evaluation protocol at the prior's resolution
 * (../shared/docs/evaluation.md) for bicubic, the closed-form Gaussian restorer (estimated and
 * oracle degradation), the four ablations of restore(), DDNM and the posterior sampler.
 *
 *   pnpm bench quality [--hr-dir ../shared/data/faces64/dev] [--list bench/quality/dev16.txt | --limit N]
 *       [--cases 0,1,...,7] [--methods bicubic,gaussian,gaussian-oracle,#1,#2,#3,#4,ddnm,posterior] [--seed 0] [--tag default]
 *       [--out bench/out/quality] [--shard i/n] [--no-report] [--grid-faces 8]
 *       [--steps N] [--strength S] [--warmup-iters N] [--cfm-kernel K] [--lr-sigma S (0: identity)] [--lr-sigma-per-noise X]
 *       (unset restore() options keep RESTORE_DEFAULTS of @difbfsr/core; the run prints the settings it uses)
 *       [--degradation oracle|area (the ablations get the true blur and noise instead of estimating them | use area downsampling)]
 *       [--adam-steps N] [--srm-lr X] [--cfm-lr X] [--adam-eps X] [--srm-start bicubic|dip]
 *       [--backend auto|tfjs|onnx] [--optimizer auto|tfjs|onnx] [--samples K] [--fidelity F]
 *   pnpm bench quality --report [--out ...]       # only rebuild report.json, report.md and the grids
 *   pnpm bench quality --rescore [--out ...] [--hr-dir ...]  # add the perceptual metrics to older records, then --report
 *   pnpm bench quality --make-list 16 [--hr-dir ...] > bench/quality/dev16.txt
 *
 * Each finished (face, case, method) appends one JSON line to <out>/results.jsonl, keyed by the
 * face, case, method, tag and a hash of the settings; a rerun skips what is there, so runs resume
 * after a stop (Ctrl-C stops after the current restore) and `--shard i/n` processes can share one
 * output folder. The report covers every line of the results file, whichever process wrote it.
 */
import { readdirSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';
import { init } from '../packages/backend-node/src/index.js';
import { FaceApiLandmarker } from '../packages/faces/src/index.js';
import { BUNDLED_FACE_MODEL } from '../packages/models/src/index.js'; // registers the bundled face model as restore()'s default
import '../packages/onnx/src/index.js'; // registers ONNX Runtime (runtime 'onnx'), which backend 'auto' tries first
import { AbortError, setDefaultFaceModel, type OptimizerChoice, type RuntimeChoice } from '../packages/core/src/index.js';
import {
  effectiveSettings,
  FaceRecognizer,
  parseMethods,
  parseShard,
  pickFaceSubset,
  protocolCase,
  readFaceList,
  rescoreRecords,
  runQualityBench,
  writeQualityReport,
  type RestoreOverrides,
} from '../packages/eval/src/index.js';

const repo = (p: string) => fileURLToPath(new URL(`../${p}`, import.meta.url));
const { values } = parseArgs({
  options: {
    'hr-dir': { type: 'string', default: repo('../shared/data/faces64/dev') },
    list: { type: 'string' },
    limit: { type: 'string' },
    cases: { type: 'string', default: '0,1,2,3,4,5,6,7' },
    methods: { type: 'string', default: 'bicubic,#1,#2,#3,#4,ddnm' },
    seed: { type: 'string', default: '0' },
    tag: { type: 'string', default: 'default' },
    out: { type: 'string', default: repo('bench/out/quality') },
    shard: { type: 'string', default: '0/1' },
    report: { type: 'boolean', default: false },
    rescore: { type: 'boolean', default: false },
    'no-report': { type: 'boolean', default: false },
    'grid-faces': { type: 'string', default: '8' },
    'make-list': { type: 'string' },
    steps: { type: 'string' },
    strength: { type: 'string' },
    'warmup-iters': { type: 'string' },
    'cfm-kernel': { type: 'string' },
    'lr-sigma': { type: 'string' },
    'lr-sigma-per-noise': { type: 'string' },
    degradation: { type: 'string' },
    'adam-steps': { type: 'string' },
    'srm-lr': { type: 'string' },
    'cfm-lr': { type: 'string' },
    'adam-eps': { type: 'string' },
    'srm-start': { type: 'string' },
    samples: { type: 'string' },
    fidelity: { type: 'string' },
    backend: { type: 'string', default: 'auto' },
    optimizer: { type: 'string' },
  },
});

/** Dev faces with a near-duplicate in the prior's training zip (packages/models/MODEL_CARD.md). */
const NEAR_DUPLICATES = new Set(['utk_0081', 'utk_0076', 'utk_0023', 'utk_0025', 'utk_0117', 'utk_0127', 'utk_0097', 'utk_0036', 'utk_0015'].map((n) => `${n}.png`));
const hrDir = values['hr-dir'];
const imageFiles = () => readdirSync(hrDir).filter((f) => /\.(png|jpe?g|webp)$/i.test(f)).sort();

if (values['make-list']) {
  const count = Number(values['make-list']);
  console.log(`# ${count} faces of ${hrDir.replace(/.*\/shared\//, '../shared/')}: file names sorted, split by source prefix, the`);
  console.log(`# ${NEAR_DUPLICATES.size} near-duplicates of the training set dropped (MODEL_CARD.md), ${count} / sources spread evenly over each source.`);
  console.log(`# pnpm bench quality --make-list ${count}`);
  console.log(pickFaceSubset(imageFiles(), count, NEAR_DUPLICATES).join('\n'));
  process.exit(0);
}

const num = (name: string): number | undefined => {
  const v = values[name as keyof typeof values];
  if (v === undefined) return undefined;
  const n = Number(v);
  if (typeof v !== 'string' || !Number.isFinite(n)) throw new Error(`--${name} must be a number, got ${JSON.stringify(v)}`);
  return n;
};
function degradationOverride(v: string | undefined): 'oracle' | 'area' | undefined {
  if (v === undefined || v === 'oracle' || v === 'area') return v;
  throw new Error(`--degradation must be oracle or area, got ${JSON.stringify(v)}`);
}
const listFile = values.list ?? (values.limit ? undefined : repo('bench/quality/dev16.txt'));
const limit = num('limit');
const faces = (listFile ? readFaceList(listFile) : imageFiles()).slice(0, limit ?? Infinity);
const command = `pnpm bench quality ${process.argv.slice(2).join(' ')}`.trim();
const reportConfig = { outDir: values.out, hrDir, faces, gridFaces: num('grid-faces'), command };

async function report(): Promise<void> {
  const { markdown, files, skippedLines } = await writeQualityReport(reportConfig);
  console.log(markdown);
  if (skippedLines) console.log(`(${skippedLines} unreadable lines in the results file were skipped)`);
  console.log(`wrote ${files.join(', ')}`);
}

if (values.report) {
  await report();
  process.exit(0);
}

if (values.rescore) {
  await init();
  const scorers = { recognizer: FaceRecognizer.load(), landmarker: await FaceApiLandmarker.load() };
  const { rescored, missing } = await rescoreRecords(values.out, hrDir, scorers, (r) => console.log(`${r.face} case ${r.case} ${r.method} [${r.tag}]: NME ${r.landmarkNme?.toFixed(4)}`));
  scorers.recognizer.dispose();
  scorers.landmarker.dispose();
  console.log(`rescored ${rescored} records${missing ? `; ${missing} lack their output image or clean face` : ''}`);
  await report();
  process.exit(0);
}

const overrides: RestoreOverrides = {
  seed: num('seed') ?? 0,
  backend: values.backend as RuntimeChoice,
  optimizer: values.optimizer as Exclude<OptimizerChoice, Function> | undefined,
  steps: num('steps'),
  strength: num('strength'),
  warmupIters: num('warmup-iters'),
  cfmKernelSize: num('cfm-kernel'),
  lrSigma: num('lr-sigma'),
  lrSigmaPerNoise: num('lr-sigma-per-noise'),
  degradation: degradationOverride(values.degradation),
  adamSteps: num('adam-steps'),
  srmLearningRate: num('srm-lr'),
  cfmLearningRate: num('cfm-lr'),
  adamEpsilon: num('adam-eps'),
  srmStart: values['srm-start'] as RestoreOverrides['srmStart'],
  samples: num('samples'),
  fidelity: num('fidelity'),
};
// No estimator: restore()'s diffusion data term falls back to area downsampling.
if (overrides.degradation === 'area') setDefaultFaceModel({ ...BUNDLED_FACE_MODEL, degradationEstimator: undefined });
const cases = values.cases.split(',').map((c) => protocolCase(Number(c)).index);
const methods = parseMethods(values.methods);
const shard = parseShard(values.shard);

const backend = await init();
const recognizer = FaceRecognizer.load();
const landmarker = await FaceApiLandmarker.load();
const controller = new AbortController();
process.once('SIGINT', () => {
  console.error('\nstopping after the current item (Ctrl-C again to kill)');
  controller.abort();
});
console.log(`${faces.length} faces x ${cases.length} cases x ${methods.length} methods, shard ${values.shard}, tag ${values.tag}, tfjs ${backend.name}; results in ${values.out}`);
console.log(`restore() settings (the overrides over RESTORE_DEFAULTS): ${JSON.stringify(effectiveSettings(overrides))}`);
const started = performance.now();
try {
  const { ran, skipped } = await runQualityBench(
    {
      hrDir,
      faces,
      cases,
      methods,
      tag: values.tag,
      overrides,
      outDir: values.out,
      shard,
      signal: controller.signal,
      onItem: ({ done, total, record }) => {
        if (!record) return;
        const r = record;
        console.log(
          `[${done}/${total}] ${r.face} case ${r.case} ${r.method}: ${r.psnr?.toFixed(2) ?? 'inf'} dB, SSIM ${r.ssim.toFixed(4)}, identity ${r.identity.toFixed(3)}, NME ${r.landmarkNme?.toFixed(4)}, ` +
            `LR RMSE ${r.lrRmse.toFixed(4)}${r.collapsed ? ' (collapse caught)' : r.retries ? ` (collapsed, rerun ${r.retries}x)` : ''}, ${(r.timeMs / 1000).toFixed(1)} s [${r.prior} / ${r.optimizer} / ${r.backend}]`,
        );
      },
    },
    { recognizer, landmarker },
  );
  console.log(`ran ${ran}, already done ${skipped}, in ${((performance.now() - started) / 1000).toFixed(0)} s`);
} catch (e) {
  if (!(e instanceof AbortError)) throw e;
  console.log('stopped; rerun the same command to resume');
  process.exit(130);
} finally {
  recognizer.dispose();
  landmarker.dispose();
}
if (!values['no-report']) await report();
