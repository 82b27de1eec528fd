import * as tf from '@tensorflow/tfjs-core';
import { DifbfsrError } from '../errors.js';
import type { SeededRandom } from '../util/seeded-random.js';
import { applyConv, createConvLayer, layerVariables, leakyRelu, type ConvLayer } from './conv-layer.js';

/** Options of the conditional fusion module. */
export interface CfmOptions {
  /** Side of the per-pixel kernel, odd (default 7). */
  kernelSize?: number;
  /** Hidden width of the two-layer predictor (default 32). */
  features?: number;
}

/**
 * The CFM `psi_eta` (paper sec. 3.2, "adaptive dynamic filtering"): a bounded adaptive low-pass.
 * Two conv3x3 layers read `concat(y_hat, x0)` and predict per-pixel logits of a k x k kernel; a
 * softmax over the taps makes each kernel a convex average of its neighbourhood. The last conv
 * is zero-initialised, so the module starts as a k x k box filter.
 *
 * The second LeakyReLU of the paper's "two iterations of conv and LeakyReLU" is not applied to
 * the logits: the softmax that follows already bounds the kernel, and a LeakyReLU there would
 * only scale down negative logits.
 */
export class ConditionalFusionModule {
  readonly kernelSize: number;
  private readonly hidden: ConvLayer;
  private readonly logits: ConvLayer;

  constructor(rng: SeededRandom, options: CfmOptions = {}) {
    const { kernelSize = 7, features = 32 } = options;
    if (!Number.isInteger(kernelSize) || kernelSize < 1 || kernelSize % 2 === 0) {
      throw new DifbfsrError('INVALID_OPTION', `CFM kernel size must be an odd positive integer, got ${kernelSize}`);
    }
    this.kernelSize = kernelSize;
    this.hidden = createConvLayer(rng, 3, 6, features);
    this.logits = createConvLayer(rng, 3, features, kernelSize * kernelSize, true);
  }

  /** Trainable variables `eta`. */
  get variables(): tf.Variable[] {
    return layerVariables([this.hidden, this.logits]);
  }

  /** Per-pixel convex kernels `[B, H, W, k*k]` predicted from `y_hat` and `x0`. */
  kernels(yHat: tf.Tensor4D, x0: tf.Tensor4D): tf.Tensor4D {
    return tf.tidy(() => {
      const h = leakyRelu(applyConv(this.hidden, tf.concat([yHat, x0], 3) as tf.Tensor4D)) as tf.Tensor4D;
      return tf.softmax(applyConv(this.logits, h)) as tf.Tensor4D;
    });
  }

  /**
   * The fusion of paper eq. 5 with the CFM as its filter: `psi(y_hat) + x0 - psi(x0)`, computed as
   * `x0 + psi(y_hat - x0)` (the filter is linear in the image for fixed kernels).
   */
  fuse(yHat: tf.Tensor4D, x0: tf.Tensor4D): tf.Tensor4D {
    return tf.tidy(() => tf.add(x0, filterPerPixel(tf.sub(yHat, x0) as tf.Tensor4D, this.kernels(yHat, x0), this.kernelSize)) as tf.Tensor4D);
  }

  dispose(): void {
    for (const v of this.variables) v.dispose();
  }
}

/**
 * Filter `x` `[B, H, W, C]` with a different k x k kernel at every pixel (`kernels` `[B, H, W, k*k]`,
 * taps row-major); borders are reflect-padded. Differentiable in both inputs.
 */
export function filterPerPixel(x: tf.Tensor4D, kernels: tf.Tensor4D, k: number): tf.Tensor4D {
  return tf.tidy(() => {
    const [b, hgt, wid, c] = x.shape;
    const r = (k - 1) / 2;
    const padded = r > 0 ? tf.mirrorPad(x, [[0, 0], [r, r], [r, r], [0, 0]], 'reflect') : x;
    const taps: tf.Tensor4D[] = [];
    for (let dy = 0; dy < k; dy++) for (let dx = 0; dx < k; dx++) taps.push(tf.slice(padded, [0, dy, dx, 0], [b, hgt, wid, c]));
    const patches = tf.stack(taps, 3); // [B, H, W, k*k, C]
    return tf.sum(tf.mul(patches, tf.expandDims(kernels, 4)), 3) as tf.Tensor4D;
  });
}
