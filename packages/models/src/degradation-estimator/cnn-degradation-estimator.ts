import * as tf from '@tensorflow/tfjs-core';
import { DifbfsrError, type Degradation, type DegradationEstimator } from '@difbfsr/core';
import type { StateDict } from '../checkpoint/types.js';

/** The `format` metadata value of a degradation-estimator file (`tools/degradation-estimator/train.py export`). */
export const DEGRADATION_ESTIMATOR_FORMAT = 'difbfsr-degradation-estimator/1';

interface Conv {
  filter: tf.Tensor4D;
  bias: tf.Tensor1D;
  stride: number;
}

interface Dense {
  weight: tf.Tensor2D;
  bias: tf.Tensor1D;
}

function parseJson<T>(sd: StateDict, key: string): T {
  try {
    return JSON.parse(sd.metadata[key] ?? '') as T;
  } catch (e) {
    throw new DifbfsrError('CHECKPOINT_FORMAT', `degradation estimator: metadata ${key} is not valid JSON`, { cause: e });
  }
}

function checkedShape(sd: StateDict, name: string, expected: readonly number[]): Float32Array {
  const entry = sd.get(name);
  if (entry.shape.length !== expected.length || entry.shape.some((d, i) => d !== expected[i])) {
    throw new DifbfsrError('SHAPE_MISMATCH', `degradation estimator: tensor ${name} has shape [${entry.shape}], expected [${expected}]`);
  }
  return entry.toFloat32();
}

/**
 * The degradation estimator of `tools/degradation-estimator`: 3x3 convolutions (zero padding 1,
 * some with stride 2) with LeakyReLU(0.2), global average pooling and two linear layers, predicting
 * the normalised blur and `log1p(noise)`. Weights in PyTorch layout; runs on the active tfjs backend.
 */
export class CnnDegradationEstimator implements DegradationEstimator {
  readonly name: string;
  private readonly convs: Conv[];
  private readonly fc1: Dense;
  private readonly fc2: Dense;
  private readonly blurNorm: [number, number];
  private readonly noiseNorm: [number, number];
  /** Present when the network also predicts the chroma noise (third output). */
  private readonly chromaNorm?: [number, number];

  /** @throws DifbfsrError `CHECKPOINT_FORMAT`, `MISSING_TENSOR` or `SHAPE_MISMATCH` for a file that is not one. */
  constructor(sd: StateDict, name = 'degradation-cnn') {
    if (sd.metadata.format !== DEGRADATION_ESTIMATOR_FORMAT) {
      throw new DifbfsrError('CHECKPOINT_FORMAT', `not a degradation estimator: metadata format is ${JSON.stringify(sd.metadata.format)}, expected ${DEGRADATION_ESTIMATOR_FORMAT}`);
    }
    this.name = name;
    const layers = parseJson<[number, number, number][]>(sd, 'layers');
    const outputs = parseJson<{ blur: [number, number]; log1p_noise: [number, number]; log1p_chroma?: [number, number] }>(sd, 'outputs');
    this.blurNorm = outputs.blur;
    this.noiseNorm = outputs.log1p_noise;
    this.chromaNorm = outputs.log1p_chroma;
    const created: tf.Tensor[] = [];
    const keep = <T extends tf.Tensor>(t: T): T => (created.push(t), t);
    try {
      this.convs = layers.map(([cin, cout, stride], i) => ({
        filter: keep(tf.tidy(() => tf.transpose(tf.tensor4d(checkedShape(sd, `convs.${i}.weight`, [cout, cin, 3, 3]), [cout, cin, 3, 3]), [2, 3, 1, 0]))),
        bias: keep(tf.tensor1d(checkedShape(sd, `convs.${i}.bias`, [cout]))),
        stride,
      }));
      const width = layers[layers.length - 1][1];
      const hidden = sd.get('fc1.weight').shape[0];
      this.fc1 = this.dense(sd, 'fc1', hidden, width, keep);
      this.fc2 = this.dense(sd, 'fc2', this.chromaNorm ? 3 : 2, hidden, keep);
    } catch (e) {
      for (const t of created) t.dispose();
      throw e;
    }
  }

  private dense(sd: StateDict, name: string, out: number, inp: number, keep: <T extends tf.Tensor>(t: T) => T): Dense {
    return {
      weight: keep(tf.tensor2d(checkedShape(sd, `${name}.weight`, [out, inp]), [out, inp])),
      bias: keep(tf.tensor1d(checkedShape(sd, `${name}.bias`, [out]))),
    };
  }

  estimate(y: tf.Tensor4D): Degradation {
    if (y.rank !== 4 || y.shape[0] !== 1 || y.shape[3] !== 3) {
      throw new DifbfsrError('INVALID_SIZE', `degradation estimator takes one RGB face [1, h, w, 3], got [${y.shape}]`);
    }
    const out = tf.tidy(() => {
      let x: tf.Tensor4D = y;
      for (const c of this.convs) {
        const padded = tf.pad(x, [[0, 0], [1, 1], [1, 1], [0, 0]]);
        x = tf.leakyRelu(tf.add(tf.conv2d(padded, c.filter, c.stride, 'valid'), c.bias), 0.2) as tf.Tensor4D;
      }
      const pooled = tf.mean(x, [1, 2]) as tf.Tensor2D;
      const hidden = tf.leakyRelu(tf.add(tf.matMul(pooled, this.fc1.weight, false, true), this.fc1.bias), 0.2);
      return tf.add(tf.matMul(hidden, this.fc2.weight, false, true), this.fc2.bias);
    });
    const [b, n, c] = out.dataSync();
    out.dispose();
    const level = (v: number, [shift, scale]: [number, number]) => Math.max(0, Math.expm1(v * scale + shift));
    const blur = Math.max(0, b * this.blurNorm[1] + this.blurNorm[0]);
    const noise = level(n, this.noiseNorm);
    return this.chromaNorm ? { blur, noise, chroma: level(c, this.chromaNorm) } : { blur, noise };
  }

  dispose(): void {
    for (const c of this.convs) {
      c.filter.dispose();
      c.bias.dispose();
    }
    for (const d of [this.fc1, this.fc2]) {
      d.weight.dispose();
      d.bias.dispose();
    }
  }
}
