import * as tf from '@tensorflow/tfjs-core';
import '@tensorflow/tfjs-backend-wasm';
import { beforeAll, expect, it } from 'vitest';
import { BlendedDenoiser, diffusionTables, fullSchedule, getDefaultPrior, linearBetas, predictX0FromEps, type Denoiser } from '@difbfsr/core';
import { psnr, readRgb, type RgbImage } from '@difbfsr/eval';
import '@difbfsr/models';
import { describeShared, sharedPath } from '../../../test-utils/shared.js';

/** 16 dev faces (held out from the prior's and the blend's training faces). */
const FACES = Array.from({ length: 16 }, (_, i) => `celeba_${String(128 + 8 * i).padStart(4, '0')}.png`);

/**
 * The bundled prior's banded blend (packages/models/assets/face64/blend.json, tools/train-prior/blend.py)
 * as restore() runs it: its x0 estimate at t = 400 against the plain one-weight blend and both parts.
 */
describeShared('the bundled prior: the banded blend on dev faces [wasm]', FACES.map((f) => `data/faces64/dev/${f}`), () => {
  beforeAll(async () => {
    await tf.setBackend('wasm');
  });

  it("denoises x_400 better than the one-weight blend, and than the network and the Gaussian model by more, with the Gaussian model's mean colour", async () => {
    const prior = await getDefaultPrior({ backend: 'tfjs' });
    expect(prior).toBeInstanceOf(BlendedDenoiser);
    const banded = prior as BlendedDenoiser;
    expect(banded.weights.bands?.ranges.length).toBeGreaterThan(0);
    const plain = new BlendedDenoiser(banded.network, banded.closedForm, { t: banded.weights.t, w: banded.weights.w });
    const faces = await Promise.all(FACES.map((f) => readRgb(sharedPath('data/faces64/dev', f))));
    const x0 = tf.tensor4d(Float32Array.from(faces.flatMap((f) => Array.from(f.data, (v) => v / 127.5 - 1))), [faces.length, 64, 64, 3]);
    const tables = diffusionTables(fullSchedule(linearBetas(1000)));
    const t = 400;
    const ab = tables.alphasCumprod[t];
    const xt = tf.tidy(() => tf.add(tf.mul(x0, Math.sqrt(ab)), tf.mul(tf.randomNormal(x0.shape, 0, 1, 'float32', 7), Math.sqrt(1 - ab)))) as tf.Tensor4D;
    const ts = new Array<number>(faces.length).fill(t);
    const before = tf.memory().numTensors;
    const score = async (denoiser: Denoiser): Promise<number> => {
      const out = await denoiser.predict(xt, ts);
      const est = tf.tidy(() => tf.cast(tf.clipByValue(tf.round(tf.mul(tf.add(predictX0FromEps(tables, t, xt, out.eps, true), 1), 127.5)), 0, 255), 'int32'));
      const data = await est.data();
      tf.dispose([out.eps, out.v, est].filter((x): x is tf.Tensor => x !== undefined));
      const images: RgbImage[] = faces.map((_, i) => ({ width: 64, height: 64, data: Uint8Array.from(data.subarray(i * 64 * 64 * 3, (i + 1) * 64 * 64 * 3)) }));
      return images.reduce((s, img, i) => s + psnr(img, faces[i]), 0) / faces.length;
    };
    const [b, p, n, g] = [await score(banded), await score(plain), await score(banded.network), await score(banded.closedForm)];
    // blend.py's default: the mean colour is the Gaussian model's at every t.
    const [blended, closed] = [await banded.predict(xt, ts), await banded.closedForm.predict(xt, ts)];
    const colourGap = tf.tidy(() => tf.max(tf.abs(tf.sub(tf.mean(blended.eps, [1, 2]), tf.mean(closed.eps, [1, 2])))).dataSync()[0]);
    tf.dispose([blended.eps, closed.eps, ...[blended.v, closed.v].filter((x) => x !== undefined)]);
    expect(colourGap).toBeLessThan(1e-5);
    expect(tf.memory().numTensors).toBe(before);
    tf.dispose([x0, xt]);
    // blend.py's probe on 64 dev faces (shipped 3041-step network): banded 20.82, one weight 20.68,
    // network 20.64, Gaussian model 19.77 dB; on these 16 faces 20.36, 20.28, 20.30 and 19.16.
    expect(b).toBeGreaterThan(p + 0.05);
    expect(b).toBeGreaterThan(Math.max(n, g) + 0.05);
  });
});
