import * as tf from '@tensorflow/tfjs-core';
import { DifbfsrError } from '@difbfsr/core';
import type { UNetPlan } from './plan.js';

/**
 * Validate the arguments of a U-Net denoiser's `predict(x, t)` (tfjs or ONNX Runtime): `x` an
 * NHWC float32 `[B, H, W, 3]` tensor whose sides are multiples of the network's downsampling, and
 * one finite timestep per batch item.
 * @param name the denoiser's name, for the messages.
 * @throws DifbfsrError `INVALID_INPUT`, `UNSUPPORTED_DTYPE` or `INVALID_SIZE`.
 */
export function checkUNetCall(name: string, plan: UNetPlan, x: tf.Tensor4D, t: readonly number[]): void {
  if (!(x instanceof tf.Tensor) || x.rank !== 4 || x.shape[3] !== 3) {
    const shape = x instanceof tf.Tensor ? `[${x.shape.join(', ')}]` : typeof x;
    throw new DifbfsrError('INVALID_INPUT', `${name}: x must be an NHWC [B, H, W, 3] tensor, got ${shape}`);
  }
  if (x.dtype !== 'float32') throw new DifbfsrError('UNSUPPORTED_DTYPE', `${name}: x must be float32, got ${x.dtype}`);
  const [b, h, w] = x.shape;
  const m = plan.sizeMultiple;
  if (h % m !== 0 || w % m !== 0 || h === 0 || w === 0) {
    throw new DifbfsrError('INVALID_SIZE', `${name}: x is ${h}x${w}; height and width must be positive multiples of ${m}`);
  }
  if (!Array.isArray(t) || t.length !== b || t.some((v) => typeof v !== 'number' || !Number.isFinite(v))) {
    throw new DifbfsrError('INVALID_INPUT', `${name}: t must hold ${b} finite timesteps (one per batch item), got ${JSON.stringify(t)}`);
  }
}
