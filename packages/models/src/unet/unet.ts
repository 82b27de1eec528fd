import * as tf from '@tensorflow/tfjs-core';
import { DifbfsrError, type Denoiser, type DenoiserOutput } from '@difbfsr/core';
import { checkTensorList } from '../checkpoint/check.js';
import { checkUNetCall } from './check-call.js';
import type { StateDict } from '../checkpoint/types.js';
import type { UNetConfig } from './config.js';
import { planUNet, type UNetPlan } from './plan.js';
import { randomTorchReader } from './random-weights.js';
import { checkStoredConfig } from './stored-config.js';
import { planTensorList } from './tensor-list.js';
import { unetForward } from './unet-forward.js';
import { convertUNetWeights, disposeUNetWeights, type TorchTensorReader, type UNetWeights } from './weights.js';

/** Options of {@link UNet.fromStateDict} and {@link UNet.random}. */
export interface UNetOptions {
  /** Name shown in reports; default `tfjs-unet(<image_size>px)`. */
  name?: string;
}

/** Output and named intermediate results of {@link UNet.forwardWithActivations}. */
export interface UNetActivations {
  /** Network output, NHWC `[B, H, W, out_channels]`. */
  output: tf.Tensor4D;
  /**
   * `emb` `[B, 4*model_channels]` and, NHWC, every `input_blocks.<i>`, `middle_block` and
   * `output_blocks.<i>` output (after the skip concat and the block), in forward order.
   */
  activations: Map<string, tf.Tensor>;
}

/**
 * guided-diffusion's `UNetModel` in TensorFlow.js (NHWC), as a core {@link Denoiser}.
 *
 * Build it from a checkpoint with {@link UNet.fromStateDict} or with random weights with
 * {@link UNet.random}. Weights are converted once at load; every call is a pure function of them,
 * leak-free and batch-capable. Call {@link UNet.dispose} to free the weights.
 */
export class UNet implements Denoiser {
  readonly resolution: number;
  readonly learnedVariance: boolean;
  readonly name: string;
  /** Number of parameters (as in the PyTorch state dict). */
  readonly paramCount: number;
  private weights: UNetWeights | undefined;

  private constructor(
    /** The configuration the network was built from. */
    readonly config: UNetConfig,
    private readonly plan: UNetPlan,
    weights: UNetWeights,
    name: string | undefined,
  ) {
    this.weights = weights;
    this.resolution = plan.config.imageSize;
    this.learnedVariance = plan.config.outChannels === 6;
    this.name = name ?? `tfjs-unet(${plan.config.imageSize}px)`;
    this.paramCount = planTensorList(plan).reduce((n, [, s]) => n + s.reduce((a, b) => a * b, 1), 0);
  }

  /**
   * Build the network `config` describes from a PyTorch-layout state dict (see `loadCheckpoint`).
   * @throws DifbfsrError `CONFIG_MISMATCH` when the state dict is not exactly the one `config` asks
   *   for (the message names the first missing, unexpected or mis-shaped tensor; the loader's
   *   error is the `cause`), or when a config stored in its metadata differs in what shapes cannot
   *   show (resolution, attention heads, qkv order); `INVALID_OPTION` for an unbuildable config.
   */
  static fromStateDict(config: UNetConfig, stateDict: StateDict, options: UNetOptions = {}): UNet {
    const plan = planUNet(config);
    const what = options.name ?? 'UNet config';
    try {
      checkTensorList(stateDict, planTensorList(plan), { what });
    } catch (err) {
      if (!(err instanceof DifbfsrError)) throw err;
      throw new DifbfsrError('CONFIG_MISMATCH', `Checkpoint does not fit the UNet config (${err.code}): ${err.message}`, {
        cause: err,
      });
    }
    checkStoredConfig(plan, stateDict, what);
    const read: TorchTensorReader = (name) => stateDict.get(name).toFloat32();
    return new UNet(config, plan, convertUNetWeights(plan, read), options.name);
  }

  /** Build the network `config` describes with seeded random weights (benchmarks, tests). */
  static random(config: UNetConfig, seed: number, options: UNetOptions = {}): UNet {
    const plan = planUNet(config);
    return new UNet(config, plan, convertUNetWeights(plan, randomTorchReader(seed)), options.name);
  }

  /**
   * Run the network: NHWC `x` `[B, H, W, 3]` (H, W multiples of 2^(levels-1)), ORIGINAL timesteps
   * `t` (one per batch item) -> `[B, H, W, 3 or 6]`, owned by the caller.
   * @throws DifbfsrError `INVALID_INPUT` / `INVALID_SIZE` / `UNSUPPORTED_DTYPE` for bad arguments.
   */
  forward(x: tf.Tensor4D, t: readonly number[]): tf.Tensor4D {
    return unetForward(this.plan, this.checkCall(x, t), x, t);
  }

  /** {@link UNet.forward}, also returning every block's output (for tests against the reference). */
  forwardWithActivations(x: tf.Tensor4D, t: readonly number[]): UNetActivations {
    const weights = this.checkCall(x, t);
    const activations = new Map<string, tf.Tensor>();
    try {
      const output = unetForward(this.plan, weights, x, t, (name, value) => {
        activations.set(name, tf.keep(tf.clone(value)));
      });
      return { output, activations };
    } catch (err) {
      tf.dispose([...activations.values()]);
      throw err;
    }
  }

  /** {@link Denoiser.predict}: epsilon = channels 0..2, `v` = channels 3..5 when the variance is learned. */
  predict(x: tf.Tensor4D, t: readonly number[]): DenoiserOutput {
    const out = this.forward(x, t);
    if (!this.learnedVariance) return { eps: out };
    const [eps, v] = tf.split(out, 2, 3) as [tf.Tensor4D, tf.Tensor4D];
    out.dispose();
    return { eps, v };
  }

  /** Free the weights. Later calls throw. */
  dispose(): void {
    if (this.weights) disposeUNetWeights(this.weights);
    this.weights = undefined;
  }

  private checkCall(x: tf.Tensor4D, t: readonly number[]): UNetWeights {
    if (!this.weights) throw new DifbfsrError('INVALID_INPUT', `${this.name} has been disposed`);
    checkUNetCall(this.name, this.plan, x, t);
    return this.weights;
  }
}
