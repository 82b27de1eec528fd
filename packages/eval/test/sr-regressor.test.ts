import * as tf from '@tensorflow/tfjs-core';
import { beforeAll, describe, expect, it } from 'vitest';
import { resizeBicubic, SeededRandom } from '@difbfsr/core';
import { saveSafetensors } from '@difbfsr/models';
import { SrRegressor } from '../src/bench/sr-regressor.js';
import { usePlainBackend } from '../../../test-utils/plain-backend.js';

type Img = number[][][]; // [c][h][w], PyTorch layout

/** PyTorch's conv2d, 3x3, zero padding 1: weight [out][in][3][3]. */
function conv(x: Img, w: number[][][][], b: number[]): Img {
  const h = x[0].length;
  const wd = x[0][0].length;
  return w.map((wo, o) =>
    Array.from({ length: h }, (_, i) =>
      Array.from({ length: wd }, (_, j) => {
        let s = b[o];
        wo.forEach((wi, c) => {
          for (let di = -1; di <= 1; di++)
            for (let dj = -1; dj <= 1; dj++) {
              const ii = i + di;
              const jj = j + dj;
              if (ii >= 0 && ii < h && jj >= 0 && jj < wd) s += wi[di + 1][dj + 1] * x[c][ii][jj];
            }
        });
        return s;
      }),
    ),
  );
}
const relu = (x: Img): Img => x.map((c) => c.map((r) => r.map((v) => Math.max(0, v))));
const add = (a: Img, b: Img): Img => a.map((c, k) => c.map((r, i) => r.map((v, j) => v + b[k][i][j])));
/** PyTorch's PixelShuffle(2): out[c][2h+i][2w+j] = in[4c + 2i + j][h][w]. */
function shuffle(x: Img): Img {
  const c = x.length / 4;
  return Array.from({ length: c }, (_, ch) =>
    Array.from({ length: x[0].length * 2 }, (_, y) => Array.from({ length: x[0][0].length * 2 }, (_, xx) => x[ch * 4 + (y % 2) * 2 + (xx % 2)][y >> 1][xx >> 1])),
  );
}

describe('the SR regressor anchor (tools/sr-anchor) in tfjs', () => {
  beforeAll(() => usePlainBackend('cpu'));

  it("computes PyTorch's forward: convs, residual blocks, PixelShuffle order, bicubic residual", async () => {
    const ch = 4;
    const rng = new SeededRandom(3);
    const weights: Record<string, { shape: number[]; data: Float32Array }> = {};
    const param = (name: string, out: number, inp: number) => {
      weights[`${name}.weight`] = { shape: [out, inp, 3, 3], data: Float32Array.from(rng.normalArray(out * inp * 9), (v) => 0.2 * v) };
      weights[`${name}.bias`] = { shape: [out], data: Float32Array.from(rng.normalArray(out), (v) => 0.1 * v) };
    };
    param('head', ch, 3);
    param('blocks.0.conv1', ch, ch);
    param('blocks.0.conv2', ch, ch);
    param('body', ch, ch);
    param('up1', 4 * ch, ch);
    param('up2', 4 * ch, ch);
    param('tail', 3, ch);
    const model = await SrRegressor.load(saveSafetensors(weights, { format: 'difbfsr-sr-anchor/1' }));
    const w = (name: string) => {
      const { shape, data } = weights[`${name}.weight`];
      const [o, i] = shape;
      return Array.from({ length: o }, (_, a) => Array.from({ length: i }, (_, b) => Array.from({ length: 3 }, (_, c) => Array.from({ length: 3 }, (_, d) => data[((a * i + b) * 3 + c) * 3 + d]))));
    };
    const b = (name: string) => Array.from(weights[`${name}.bias`].data);
    const y = Array.from(rng.normalArray(4 * 4 * 3), (v) => 0.5 * Math.tanh(v));
    const yImg: Img = [0, 1, 2].map((c) => Array.from({ length: 4 }, (_, i) => Array.from({ length: 4 }, (_, j) => y[(i * 4 + j) * 3 + c])));
    const h = conv(yImg, w('head'), b('head'));
    const blk = add(h, conv(relu(conv(h, w('blocks.0.conv1'), b('blocks.0.conv1'))), w('blocks.0.conv2'), b('blocks.0.conv2')));
    let x = add(h, conv(blk, w('body'), b('body')));
    x = relu(shuffle(conv(x, w('up1'), b('up1'))));
    x = relu(shuffle(conv(x, w('up2'), b('up2'))));
    const tail = conv(x, w('tail'), b('tail'));
    const input = tf.tensor4d(y, [1, 4, 4, 3]);
    const bic = resizeBicubic(input, 16, 16);
    const bicData = bic.dataSync();
    const before = tf.memory().numTensors;
    const out = model.predict(input);
    expect(tf.memory().numTensors).toBe(before + 1);
    const got = out.dataSync();
    let err = 0;
    for (let i = 0; i < 16; i++) for (let j = 0; j < 16; j++) for (let c = 0; c < 3; c++) err = Math.max(err, Math.abs(got[(i * 16 + j) * 3 + c] - (bicData[(i * 16 + j) * 3 + c] + tail[c][i][j])));
    expect(err).toBeLessThan(1e-4);
    [out, input, bic].forEach((t) => t.dispose());
    model.dispose();
  });
});
