/**
 * One restore of one degraded face, step by step: the LR miss (sqrt(2 x loss), [-1, 1] units after
 * the LR low-pass) after every warm-up iteration and every reverse step, then what restore() said
 * and the PSNR against the clean face. For looking into a restore the bench flagged
 * (docs/benchmarks.md: the partial collapses and the Adam epsilon):
 *
 *   node --import tsx bench/quality/trace-restore.ts --face utk_0047.png --case 0 [--seed 0]
 *       [--steps 50] [--optimizer auto|tfjs|onnx] [--adam-eps X] [--hr-dir ../shared/data/faces64/dev]
 */
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';
import { init } from '../../packages/backend-node/src/index.js';
import '../../packages/models/src/index.js'; // registers the bundled face prior as restore()'s default
import '../../packages/onnx/src/index.js'; // ONNX Runtime for the prior and the optimiser under 'auto'
import { restoreWithInfo, type OptimizerChoice } from '../../packages/core/src/index.js';
import { degrade, psnr, readRgb } from '../../packages/eval/src/index.js';

const { values } = parseArgs({
  options: {
    'hr-dir': { type: 'string', default: fileURLToPath(new URL('../../../shared/data/faces64/dev', import.meta.url)) },
    face: { type: 'string', default: 'utk_0047.png' },
    case: { type: 'string', default: '0' },
    seed: { type: 'string', default: '0' },
    steps: { type: 'string', default: '50' },
    optimizer: { type: 'string', default: 'auto' },
    'adam-eps': { type: 'string' },
  },
});

await init();
const hr = await readRgb(join(values['hr-dir'], values.face));
const caseIndex = Number(values.case);
const { lr } = await degrade(hr, caseIndex, values.face, 4);
const misses: string[] = [];
const { output, info } = await restoreWithInfo(
  { data: lr.data, width: lr.width, height: lr.height, channels: 3 },
  {
    steps: Number(values.steps),
    seed: Number(values.seed),
    optimizer: values.optimizer as Exclude<OptimizerChoice, Function>,
    ...(values['adam-eps'] === undefined ? {} : { adamEpsilon: Number(values['adam-eps']) }),
    onProgress: ({ phase, step, loss }) => {
      if (loss !== undefined) misses.push(`${phase === 'warmup' ? 'w' : 'd'}${step}:${Math.sqrt(2 * loss).toFixed(4)}`);
    },
  },
);
console.log(`LR miss per step (w: warm-up, d: reverse step):\n${misses.join(' ')}\n`);
const p = psnr({ width: output.width, height: output.height, data: Uint8Array.from(output.data) }, hr);
console.log(`${values.face} case ${caseIndex} seed ${values.seed}: ${p.toFixed(2)} dB; ${JSON.stringify(info)}`);
