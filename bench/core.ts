/**
 * `pnpm bench core [--iters N] [--threads N]`: one SRM+CFM alternating Adam update at 64x64
 * (LR 16x16, scale 4) on the active backend, against one forward pass of a reference conv stack
 * (five conv3x3 64->64 at 64x64 with LeakyReLU) timed in the same run.
 */
import * as tf from '@tensorflow/tfjs-core';
import { init } from '@difbfsr/backend-node';
import { ConditionalFusionModule, downUpLowPass, fidelityLoss, gaussianLowPass, lrProjection, SeededRandom, SuperResolutionModule } from '@difbfsr/core';
import { parseArgs } from 'node:util';

const { values } = parseArgs({ options: { iters: { type: 'string', default: '10' }, threads: { type: 'string' } } });
const iters = Number(values.iters);
const active = await init({ threads: values.threads ? Number(values.threads) : undefined });

async function timeIt(fn: () => void): Promise<number> {
  fn(); // warm-up
  const t0 = performance.now();
  for (let i = 0; i < iters; i++) fn();
  return (performance.now() - t0) / iters;
}

const rng = new SeededRandom(0);
const srm = new SuperResolutionModule(rng, { scale: 4 });
const cfm = new ConditionalFusionModule(rng);
const lp = gaussianLowPass(1);
const fixed = downUpLowPass(4);
const down = lrProjection(64, 64, 4, { blur: 2.5, noise: 15 });
const y = rng.uniform<tf.Rank.R4>([1, 16, 16, 3], -1, 1);
const x0 = rng.uniform<tf.Rank.R4>([1, 64, 64, 3], -1, 1);
const lowY = lp.apply(y);
const optPhi = tf.train.adam(2e-3);
const optEta = tf.train.adam(5e-3);
const lossOf = (yHat: tf.Tensor4D) => fidelityLoss(lowY, tf.clipByValue(cfm.fuse(yHat, x0, fixed), -1, 1) as tf.Tensor4D, down, lp);
// as restore() does it: an SRM step, then a CFM step with the updated SRM output held fixed
const update = (): void => {
  optPhi.minimize(() => lossOf(srm.apply(y)), true, srm.variables)?.dispose();
  const yHat = srm.apply(y);
  const c = optEta.minimize(() => lossOf(yHat), true, cfm.variables);
  c?.dataSync();
  c?.dispose();
  yHat.dispose();
};

const stack = Array.from({ length: 5 }, () => rng.uniform<tf.Rank.R4>([3, 3, 64, 64], -0.05, 0.05));
const feat = rng.uniform<tf.Rank.R4>([1, 64, 64, 64], -1, 1);
const reference = (): void => {
  const out = tf.tidy(() => stack.reduce<tf.Tensor4D>((h, w) => tf.leakyRelu(tf.conv2d(h, w, 1, 'same'), 0.2) as tf.Tensor4D, feat));
  out.dataSync();
  out.dispose();
};

const refMs = await timeIt(reference);
const updMs = await timeIt(update);
const refFlops = 5 * 2 * 64 * 64 * 64 * 64 * 9;
console.log(`backend: ${active.name}${active.threads ? `, ${active.threads} thread(s)` : ''}; ${iters} iterations each\n`);
console.log('| measurement | ms | ratio to reference |');
console.log('|---|---:|---:|');
console.log(`| reference: 5x conv3x3 64->64 @64x64 forward (${((refFlops / refMs) * 1e-6).toFixed(1)} GFLOP/s) | ${refMs.toFixed(1)} | 1.00 |`);
console.log(`| one SRM+CFM alternating Adam update (x4, 16->64) | ${updMs.toFixed(1)} | ${(updMs / refMs).toFixed(2)} |`);
