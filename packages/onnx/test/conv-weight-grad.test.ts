import * as ort from 'onnxruntime-node';
import * as tf from '@tensorflow/tfjs-core';
import '@tensorflow/tfjs-backend-cpu';
import '@tensorflow/tfjs-core/dist/register_all_gradients';
import { beforeAll, describe, expect, it } from 'vitest';
import { SeededRandom } from '@difbfsr/core';
import { convWeightGrad } from '../src/contraction/graph-ops.js';
import { CONTRACTION_OPSET } from '../src/contraction/programs.js';
import { GraphBuilder } from '../src/graph/builder.js';
import { serializeModel } from '../src/graph/serialize.js';

/** convWeightGrad alone, as an ONNX model: inputs `x` [1, I, H, W] and `dy` [1, O, H, W], output `dw` [O, I, k, k]. */
async function onnxWeightGrad(x: tf.Tensor4D, dy: tf.Tensor4D, k: number): Promise<{ dw: Float32Array; gemms: number }> {
  const [, inChannels, height, width] = x.shape;
  const outChannels = dy.shape[1];
  const g = new GraphBuilder();
  const dw = convWeightGrad(g, { name: 'x', channels: inChannels, height, width }, 'dy', { weight: 'w', bias: 'b', kernel: k, inChannels, outChannels });
  g.node('Identity', [dw], {}, ['dw']);
  const { model } = serializeModel(
    {
      graph: g,
      name: 'conv-weight-grad',
      inputs: [
        { name: 'x', shape: x.shape },
        { name: 'dy', shape: dy.shape },
      ],
      outputs: [{ name: 'dw', shape: [outChannels, inChannels, k, k] }],
      opset: CONTRACTION_OPSET,
    },
    'inline',
  );
  const session = await ort.InferenceSession.create(model, { executionProviders: ['cpu'], intraOpNumThreads: 2 });
  const feeds = { x: new ort.Tensor('float32', x.dataSync() as Float32Array, x.shape), dy: new ort.Tensor('float32', dy.dataSync() as Float32Array, dy.shape) };
  const out = await session.run(feeds);
  await session.release();
  return { dw: out.dw.data as Float32Array, gemms: g.nodes.filter((n) => n.opType === 'Gemm').length };
}

/** tfjs's autodiff gradient of `sum(conv2d(x, w) * dy)` with respect to `w` (NHWC, HWIO), as OIHW values. */
function tfjsWeightGrad(x: tf.Tensor4D, dy: tf.Tensor4D, k: number): Float32Array {
  return tf.tidy(() => {
    const xs = tf.transpose(x, [0, 2, 3, 1]) as tf.Tensor4D;
    const dys = tf.transpose(dy, [0, 2, 3, 1]) as tf.Tensor4D;
    const hwio = tf.grad((w) => tf.sum(tf.mul(tf.conv2d(xs, w as tf.Tensor4D, 1, 'same'), dys)))(tf.zeros([k, k, x.shape[1], dy.shape[1]]));
    return tf.transpose(hwio, [3, 2, 0, 1]).dataSync() as Float32Array;
  });
}

describe('convWeightGrad (ONNX) equals tfjs conv2dBackpropFilter', () => {
  beforeAll(async () => {
    await tf.setBackend('cpu');
  });

  it.each([
    ['one band (the SRM tail at 64 px)', 64, 64, 64, 3, 3, 1],
    // 16 MiB of patches in a band, 4 * k * k * I * W bytes a row: 28-row bands over 40 rows, the second shorter.
    ['two bands, the second shorter (the SRM tail at 256 px, 40 rows)', 64, 40, 256, 3, 3, 2],
  ])('%s', async (_what, inChannels, height, width, outChannels, k, bands) => {
    const rng = new SeededRandom(inChannels + height);
    const x = tf.transpose(rng.uniform<tf.Rank.R4>([1, height, width, inChannels], -1, 1), [0, 3, 1, 2]) as tf.Tensor4D;
    const dy = tf.transpose(rng.uniform<tf.Rank.R4>([1, height, width, outChannels], -1, 1), [0, 3, 1, 2]) as tf.Tensor4D;
    const { dw, gemms } = await onnxWeightGrad(x, dy, k);
    expect(gemms).toBe(bands);
    const ref = tfjsWeightGrad(x, dy, k);
    let worst = 0;
    let scale = 0;
    for (let i = 0; i < ref.length; i++) {
      worst = Math.max(worst, Math.abs(dw[i] - ref[i]));
      scale = Math.max(scale, Math.abs(ref[i]));
    }
    expect(worst / scale).toBeLessThan(1e-5);
    tf.dispose([x, dy]);
  });
});
