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
  /**
   * Optional weights per part of the image space, used instead of `w`: the closed-form prior's
   * eigen-bands `ranges` (`[from, to)` in its basis, ascending, not overlapping) and then the rest
   * (the complement of the bands' span). `w` holds one row per part (`ranges.length + 1` rows) of
   * one weight per knot. Needs a {@link GaussianFaceModel} as the closed-form prior.
   */
  readonly bands?: { readonly ranges: readonly (readonly [number, number])[]; readonly w: readonly (readonly number[])[] };
  /**
   * Optional network weight per knot for the image's mean colour (the per-channel mean over the
   * pixels), which then comes from `meanColour(t) eps_network + (1 - meanColour(t)) eps_closedForm`
   * whatever the other weights give; the rest of the image keeps their blend.
   */
  readonly meanColour?: readonly number[];
}

const isWeightRow = (w: readonly number[], knots: number): boolean => w.length === knots && w.every((v) => v >= 0 && v <= 1);

function checkWeights({ t, w, bands, meanColour }: BlendWeights, closedForm: Denoiser): void {
  const ok = t.length > 0 && t.every((v, i) => Number.isFinite(v) && (i === 0 || v > t[i - 1])) && isWeightRow(w, t.length);
  if (!ok) throw new DifbfsrError('INVALID_OPTION', 'blend weights need ascending timesteps and as many weights in [0, 1]');
  if (meanColour && !isWeightRow(meanColour, t.length)) throw new DifbfsrError('INVALID_OPTION', `blend meanColour needs ${t.length} weights in [0, 1], one per knot`);
  if (!bands) return;
  if (!(closedForm instanceof GaussianFaceModel)) throw new DifbfsrError('INVALID_OPTION', 'blend bands need a Gaussian face model as the closed-form prior');
  const { ranges } = bands;
  const rangesOk = ranges.every(([a, b], i) => Number.isInteger(a) && Number.isInteger(b) && a >= (i === 0 ? 0 : ranges[i - 1][1]) && b > a && b <= closedForm.rank);
  if (!rangesOk || bands.w.length !== ranges.length + 1 || !bands.w.every((row) => isWeightRow(row, t.length))) {
    throw new DifbfsrError('INVALID_OPTION', `blend bands need ascending, disjoint ranges within the model's rank ${closedForm.rank} and one row of ${t.length} weights in [0, 1] per band and for the rest`);
  }
}

/** `w(t)`, linear between knots, constant beyond them. */
export function blendWeightAt({ t, w }: Pick<BlendWeights, 't' | 'w'>, at: number): number {
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
 * Gaussian face model at large `t`. With `bands`, each eigen-band of the Gaussian face model and
 * the rest of the image space get their own weight: `eps = eps_g + sum_k w_k(t) P_k (eps_n - eps_g)`,
 * `P_k` the projections on the bands and on the complement of their span. With `meanColour`, the
 * per-channel mean of `eps` (so of `x0`) is then replaced by that of `eps_g + c(t) (eps_n - eps_g)`.
 * The variance output, if any, is the network's.
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
    checkWeights(weights, closedForm);
    this.resolution = network.resolution;
    this.learnedVariance = network.learnedVariance;
    this.name = `${network.name ?? 'network'}+${closedForm.name ?? 'closed-form'}`;
    if (network.faceTemplate) Object.defineProperty(this, 'faceTemplate', { value: network.faceTemplate, enumerable: true });
    const gaussian = closedForm instanceof GaussianFaceModel ? closedForm : network.gaussianModel;
    if (gaussian) Object.defineProperty(this, 'gaussianModel', { value: gaussian, enumerable: true });
  }

  async predict(x: tf.Tensor4D, t: readonly number[]): Promise<DenoiserOutput> {
    const at = (w: readonly number[]): number[] => t.map((ti) => blendWeightAt({ t: this.weights.t, w }, ti));
    const parts = this.weights.bands ? this.weights.bands.w.map(at) : [at(this.weights.w)];
    const colour = this.weights.meanColour && at(this.weights.meanColour);
    const net = await this.network.predict(x, t);
    const closed = [...parts, colour ?? []].some((ws) => ws.some((w) => w < 1)) ? await this.closedForm.predict(x, t) : undefined;
    if (!closed) return net;
    closed.v?.dispose();
    const eps = tf.tidy((): tf.Tensor4D => {
      const blended = this.weights.bands ? this.banded(net.eps, closed.eps, parts) : this.scalar(net.eps, closed.eps, parts[0]);
      if (!colour) return blended;
      const meanOf = (e: tf.Tensor4D): tf.Tensor4D => tf.mean(e, [1, 2], true);
      return tf.add(blended, tf.sub(this.scalar(meanOf(net.eps), meanOf(closed.eps), colour), meanOf(blended)));
    });
    net.eps.dispose();
    closed.eps.dispose();
    return net.v ? { eps, v: net.v } : { eps };
  }

  private scalar(net: tf.Tensor4D, closed: tf.Tensor4D, ws: readonly number[]): tf.Tensor4D {
    const w = tf.tensor4d([...ws], [ws.length, 1, 1, 1]);
    return tf.add(tf.mul(net, w), tf.mul(closed, tf.sub(1, w)));
  }

  /** `eps_g + w_rest d + ((U d) * (w_band - w_rest)) U`, `d = eps_n - eps_g` per item (rows). */
  private banded(net: tf.Tensor4D, closed: tf.Tensor4D, parts: readonly number[][]): tf.Tensor4D {
    const model = this.closedForm as GaussianFaceModel;
    const [b, h, w, c] = net.shape;
    const d = tf.reshape(tf.sub(net, closed), [b, h * w * c]) as tf.Tensor2D;
    const rest = parts[parts.length - 1];
    const gains = Array.from({ length: b }, (_, i) => {
      const row = new Float32Array(model.rank);
      this.weights.bands!.ranges.forEach(([from, to], k) => row.fill(parts[k][i] - rest[i], from, to));
      return Array.from(row);
    });
    // U d as [rank, B], then transposed (tfjs-wasm's transposed-operand products are slow).
    const coeff = tf.transpose(tf.matMul(model.basisTensor, tf.transpose(d)));
    const inBands = tf.matMul(tf.mul(coeff, tf.tensor2d(gains)), model.basisTensor);
    const blended = tf.add(tf.mul(d, tf.tensor2d(rest, [b, 1])), inBands);
    return tf.add(closed, tf.reshape(blended, [b, h, w, c]));
  }

  dispose(): void {
    this.network.dispose?.();
    this.closedForm.dispose?.();
  }
}
