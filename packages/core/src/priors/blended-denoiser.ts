import * as tf from '@tensorflow/tfjs-core';
import type { Denoiser, DenoiserOutput } from '../denoiser.js';
import { DifbfsrError } from '../errors.js';
import { GaussianFaceModel } from '../gaussian/gaussian-face-model.js';

/** The weight of the network per timestep, piecewise linear between the given knots. */
export interface BlendWeights {
  /** Original timesteps, ascending. */
  readonly t: readonly number[];
  /** The network's weight at each, in [0, 1] (the rest goes to the closed-form prior). */
  readonly w: readonly number[];
}

function checkWeights({ t, w }: BlendWeights): void {
  const ok = t.length > 0 && t.length === w.length && t.every((v, i) => Number.isFinite(v) && (i === 0 || v > t[i - 1])) && w.every((v) => v >= 0 && v <= 1);
  if (!ok) throw new DifbfsrError('INVALID_OPTION', 'blend weights need ascending timesteps and as many weights in [0, 1]');
}

/** `w(t)`, linear between knots, constant beyond them. */
export function blendWeightAt({ t, w }: BlendWeights, at: number): number {
  if (at <= t[0]) return w[0];
  for (let i = 1; i < t.length; i++) {
    if (at <= t[i]) return w[i - 1] + ((w[i] - w[i - 1]) * (at - t[i - 1])) / (t[i] - t[i - 1]);
  }
  return w[w.length - 1];
}

/**
 * Two priors of the same resolution as one: `eps = w(t) eps_network + (1 - w(t)) eps_closedForm`
 * (for the same `x_t`, the same blend of their `x0` estimates). With `w(t)` fitted per timestep to
 * the least-squares optimum on training faces (`tools/train-prior/blend.py`), the blend is never
 * worse than either prior there: the bundled network is the better denoiser at small `t`, the
 * Gaussian face model at large `t`. The variance output, if any, is the network's.
 */
export class BlendedDenoiser implements Denoiser {
  readonly resolution: number;
  readonly learnedVariance: boolean;
  readonly name: string;
  /** The closed-form prior when it is a {@link GaussianFaceModel}, else the network's own (see {@link Denoiser.gaussianModel}). */
  declare readonly gaussianModel?: GaussianFaceModel;

  /** @throws DifbfsrError `INVALID_OPTION` for priors of different resolutions or bad weights. */
  constructor(
    readonly network: Denoiser,
    readonly closedForm: Denoiser,
    readonly weights: BlendWeights,
  ) {
    if (network.resolution !== closedForm.resolution) {
      throw new DifbfsrError('INVALID_OPTION', `cannot blend priors of ${network.resolution} and ${closedForm.resolution} px`);
    }
    checkWeights(weights);
    this.resolution = network.resolution;
    this.learnedVariance = network.learnedVariance;
    this.name = `${network.name ?? 'network'}+${closedForm.name ?? 'closed-form'}`;
    if (network.faceTemplate) Object.defineProperty(this, 'faceTemplate', { value: network.faceTemplate, enumerable: true });
    const gaussian = closedForm instanceof GaussianFaceModel ? closedForm : network.gaussianModel;
    if (gaussian) Object.defineProperty(this, 'gaussianModel', { value: gaussian, enumerable: true });
  }

  async predict(x: tf.Tensor4D, t: readonly number[]): Promise<DenoiserOutput> {
    const ws = t.map((ti) => blendWeightAt(this.weights, ti));
    const net = await this.network.predict(x, t);
    const closed = ws.some((w) => w < 1) ? await this.closedForm.predict(x, t) : undefined;
    if (!closed) return net;
    closed.v?.dispose();
    const eps = tf.tidy(() => {
      const w = tf.tensor4d(ws, [ws.length, 1, 1, 1]);
      return tf.add(tf.mul(net.eps, w), tf.mul(closed.eps, tf.sub(1, w))) as tf.Tensor4D;
    });
    net.eps.dispose();
    closed.eps.dispose();
    return net.v ? { eps, v: net.v } : { eps };
  }

  dispose(): void {
    this.network.dispose?.();
    this.closedForm.dispose?.();
  }
}
