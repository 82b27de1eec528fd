import * as tf from '@tensorflow/tfjs-core';
import { DifbfsrError } from '../errors.js';
import type { LowPass } from '../filters/low-pass.js';
import { reflectPad2d } from '../kernels/reflect-pad.js';
import { RESTORE_DEFAULTS } from '../restore/restore-defaults.js';
import type { SeededRandom } from '../util/seeded-random.js';
import { applyConv, createConvLayer, layerVariables, leakyRelu, type ConvLayer } from './conv-layer.js';

/** Options of the conditional fusion module. */
export interface CfmOptions {
  /** Side of the per-pixel kernel, odd (default `RESTORE_DEFAULTS.cfmKernelSize`, restore()'s). */
  kernelSize?: number;
  /** Hidden width of the two-layer predictor (default 32). */
  features?: number;
}

/**
 * The CFM `psi_eta` (paper sec. 3.2, "adaptive dynamic filtering"): a bounded adaptive low-pass.
 * Two conv3x3 layers read `concat(y_hat, x0)` and predict per-pixel logits of a k x k kernel; a
 * softmax over the taps makes each kernel a convex average of its neighbourhood. The last conv
 * is zero-initialised, so the module starts as a k x k box filter. In the fusion it filters the
 * output of the fixed low-pass, never the full band (see {@link ConditionalFusionModule.fuse}).
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
    const { kernelSize = RESTORE_DEFAULTS.cfmKernelSize, features = 32 } = options;
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
   * The fusion of paper eq. 5 with the CFM adapting the fixed low-pass `P` (`lowPass`):
   * `x_hat = x0 + psi(P(y_hat - x0))`, i.e. `psi(P(y_hat)) + x0 - psi(P(x0))` (the filter is linear
   * in the image for fixed kernels). The learned kernels act on the band `P` passes, so the band
   * above its cut-off always comes from `x0`: with `psi` alone (`x0 + psi(y_hat - x0)`) delta
   * kernels give `x_hat = y_hat`, which the data term, seeing only the LR projection, cannot tell
   * from a fusion, and the learned filter drifted towards dropping the prior's detail (issue #14).
   */
  fuse(yHat: tf.Tensor4D, x0: tf.Tensor4D, lowPass: LowPass): tf.Tensor4D {
    return tf.tidy(() => tf.add(x0, filterPerPixel(lowPass.apply(tf.sub(yHat, x0) as tf.Tensor4D), this.kernels(yHat, x0), this.kernelSize)) as tf.Tensor4D);
  }

  dispose(): void {
    for (const v of this.variables) v.dispose();
  }
}

/**
 * The one-hot filter that unfolds k x k neighbourhoods with a convolution: output channel
 * `ci * k*k + (dy * k + dx)` copies input channel `ci` at offset (dy, dx).
 */
function unfoldFilter(k: number, c: number): tf.Tensor4D {
  const taps = k * k;
  const data = new Float32Array(taps * c * c * taps);
  for (let t = 0; t < taps; t++) for (let ci = 0; ci < c; ci++) data[(t * c + ci) * c * taps + ci * taps + t] = 1;
  return tf.tensor4d(data, [k, k, c, c * taps]);
}

/**
 * Filter `x` `[B, H, W, C]` with a different k x k kernel at every pixel (`kernels` `[B, H, W, k*k]`,
 * taps row-major); borders are reflect-padded. Differentiable in both inputs; the gradient of `x`
 * includes what the mirrored border copies received (tfjs's own MirrorPad gradient drops it).
 *
 * Neighbourhoods are unfolded by a convolution with a one-hot filter, whose gradient is a
 * (fast) convolution too; slicing and stacking k*k shifted copies instead makes the backward
 * pass several times slower on wasm.
 */
export function filterPerPixel(x: tf.Tensor4D, kernels: tf.Tensor4D, k: number): tf.Tensor4D {
  return tf.tidy(() => {
    const [b, hgt, wid, c] = x.shape;
    const r = (k - 1) / 2;
    const padded = reflectPad2d(x, r);
    const patches = tf.conv2d(padded, unfoldFilter(k, c), 1, 'valid'); // [B, H, W, C * k*k]
    const n = b * hgt * wid;
    const weighted = tf.mul(tf.reshape(patches, [n, c, k * k]), tf.reshape(kernels, [n, 1, k * k]));
    return tf.reshape(tf.sum(weighted, 2), [b, hgt, wid, c]) as tf.Tensor4D;
  });
}
