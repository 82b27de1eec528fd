/**
 * Inference cost of the bundled prior on tfjs WASM (set up by @difbfsr/backend-node's `init`): one U-Net forward (batch 1, 64x64) and a full
 * 100-step `restore()` of a 16x16 input with it, in the same run, with their ratio (what the
 * restore adds on top of its 100 network calls).
 *
 *   node --import tsx tools/train-prior/time-restore.ts [--repeats 5]
 */
import { createRequire } from 'node:module';
import { fileURLToPath } from 'node:url';
import { init } from '../../packages/backend-node/src/index.js';
import { restoreWithInfo } from '../../packages/core/src/index.js';
import { loadCheckpoint, UNet, type UNetConfig } from '../../packages/models/src/index.js';

const req = createRequire(new URL('../../packages/models/package.json', import.meta.url));
const tf = req('@tensorflow/tfjs-core') as typeof import('@tensorflow/tfjs-core');

const arg = (name: string, fallback: string) => {
  const i = process.argv.indexOf(`--${name}`);
  return i >= 0 ? process.argv[i + 1] : fallback;
};
const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)];

// The Node setup restore() gets: wasm with threads, gradients and the training kernels of @difbfsr/core.
const backend = await init({ prefer: ['wasm'] });
const weights = await loadCheckpoint(fileURLToPath(new URL('../../packages/models/assets/face64/prior.safetensors', import.meta.url)));
const net = UNet.fromStateDict(JSON.parse(weights.metadata.config) as UNetConfig, weights, { name: 'face64' });
const repeats = Number(arg('repeats', '5'));

const x = tf.randomUniform([1, 64, 64, 3], -1, 1, 'float32', 1) as import('@tensorflow/tfjs-core').Tensor4D;
const forwardMs: number[] = [];
for (let i = 0; i <= repeats; i++) {
  const start = performance.now();
  const out = net.forward(x, [400]);
  out.dataSync();
  if (i > 0) forwardMs.push(performance.now() - start);
  out.dispose();
}
x.dispose();

const lr = tf.randomUniform([16, 16, 3], 0, 255, 'float32', 2) as import('@tensorflow/tfjs-core').Tensor3D;
const { output, info } = await restoreWithInfo(lr, { prior: net, steps: 100, seed: 0 });
tf.dispose([lr, output]);
net.dispose();

const fwd = median(forwardMs);
console.log(`| backend | threads | U-Net forward (ms, median of ${repeats}) | restore, ${info.steps} steps (s) | restore / (steps x forward) |`);
console.log('|---|---|---|---|---|');
console.log(
  `| ${backend.tfBackend} | ${backend.threads} | ${fwd.toFixed(0)} | ${(info.timeMs / 1000).toFixed(1)} | ${(info.timeMs / (info.steps * fwd)).toFixed(2)} |`,
);
