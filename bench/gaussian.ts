/**
 * Speed of restore()'s closed-form method (issue #20: "a restore with method 'gaussian' of a 16x16
 * face: under 0.5 s on these 2 cores"), beside one forward of the bundled prior's U-Net on the same
 * backend in the same run (the reference: a diffusion restore makes 100 of them).
 *
 *   pnpm bench gaussian [--repeats 7] [--input examples/assets/face-lr.png]
 *
 * Times (median of the repeats, after one warm-up call each): the degradation estimate alone, the
 * whole restore({ method: 'gaussian' }) (estimate, posterior mean, 48-sample uncertainty map,
 * encoding), the same with a given degradation (no estimate), and the U-Net forward.
 */
import { parseArgs } from 'node:util';
import { fileURLToPath } from 'node:url';
import * as tf from '@tensorflow/tfjs-core';
import { init } from '@difbfsr/backend-node';
import { estimateDegradation, getDefaultPrior, restoreWithInfo } from '@difbfsr/core';
import '@difbfsr/models';
import { readRgb } from '@difbfsr/eval';

const { values } = parseArgs({
  options: {
    repeats: { type: 'string', default: '7' },
    input: { type: 'string', default: fileURLToPath(new URL('../examples/assets/face-lr.png', import.meta.url)) },
  },
});
const repeats = Number(values.repeats);
const backend = await init();
const lr = await readRgb(values.input);
const face = { data: lr.data, width: lr.width, height: lr.height, channels: 3 };

async function median(run: () => Promise<unknown>): Promise<number> {
  await run();
  const times: number[] = [];
  for (let i = 0; i < repeats; i++) {
    const t = performance.now();
    await run();
    times.push(performance.now() - t);
  }
  return times.sort((a, b) => a - b)[Math.floor(times.length / 2)];
}

const degradation = await estimateDegradation(face);
const estimate = await median(() => estimateDegradation(face));
const gaussian = await median(() => restoreWithInfo(face, { method: 'gaussian' }));
const given = await median(() => restoreWithInfo(face, { method: 'gaussian', degradation }));
const prior = await getDefaultPrior({ backend: 'tfjs' });
const x = tf.randomNormal([1, 64, 64, 3], 0, 1, 'float32', 1) as tf.Tensor4D;
const forward = await median(async () => {
  const out = await prior.predict(x, [400]);
  out.eps.dataSync();
  out.eps.dispose();
  out.v?.dispose();
});
x.dispose();
console.log(`backend ${backend.name}; input ${lr.width}x${lr.height}; estimated blur ${degradation.blur.toFixed(2)}, noise ${degradation.noise.toFixed(1)}; median of ${repeats}\n`);
console.log('| what | ms | / one U-Net forward |');
console.log('|---|---|---|');
for (const [name, ms] of [
  ['estimateDegradation', estimate],
  ["restore({ method: 'gaussian' })", gaussian],
  ['the same, degradation given', given],
  ['U-Net forward (tfjs, reference)', forward],
] as const) {
  console.log(`| ${name} | ${ms.toFixed(0)} | ${(ms / forward).toFixed(2)} |`);
}
