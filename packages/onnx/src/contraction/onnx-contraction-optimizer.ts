import * as tf from '@tensorflow/tfjs-core';
import type { ContractionOptimizer, ContractionProblem, ContractionStep } from '@difbfsr/core';
import { Adam } from './adam.js';
import { ContractionRunner, type OnnxContractionOptions } from './contraction-runner.js';

/**
 * The per-image SRM/CFM optimisation on ONNX Runtime (CPU): forward and hand-derived backward
 * passes as ONNX graphs (sessions cached per image size and configuration, weights fed as inputs),
 * Adam on Float32Arrays with tfjs's arithmetic. Same updates in the same order as the tfjs
 * optimiser, so the same seed gives the same restore within float tolerance. Keeps its own copy
 * of the weights: the problem's tfjs modules keep their initial values.
 */
export class OnnxContractionOptimizer implements ContractionOptimizer {
  readonly name: string;
  private readonly adamSrm: Adam;
  private readonly adamCfm: Adam;

  private constructor(
    private readonly runner: ContractionRunner,
    private readonly p: ContractionProblem,
  ) {
    this.name = `onnx(${runner.rt.kind === 'node' ? 'cpu' : 'wasm'})`;
    this.adamSrm = new Adam(p.srmLearningRate, runner.srmParams.data.map((d) => d.length), p.adamEpsilon);
    this.adamCfm = new Adam(p.cfmLearningRate, runner.cfmParams.data.map((d) => d.length), p.adamEpsilon);
  }

  /**
   * An optimiser for `problem` (whose filters must have `separable` operators).
   * @throws DifbfsrError `BACKEND` when onnxruntime cannot be loaded or a session fails;
   *   `INVALID_OPTION` for a filter without a fitting linear operator or bad options.
   */
  static async create(problem: ContractionProblem, options: OnnxContractionOptions = {}): Promise<OnnxContractionOptimizer> {
    return new OnnxContractionOptimizer(await ContractionRunner.create(problem, options), problem);
  }

  async yHat(): Promise<tf.Tensor4D> {
    // restore() asks for y_hat once the warm-up is over, to start the chain from it.
    this.runner.finishWarmup();
    if (!this.p.learnSrm) return tf.clone(this.p.upsampled);
    return this.runner.imageTensor((await this.runner.run('yHat')).yHat);
  }

  async warmupStep(): Promise<number> {
    return this.update('warmupStep');
  }

  async diffusionStep(x0: tf.Tensor4D): Promise<ContractionStep> {
    const { p, runner } = this;
    runner.finishWarmup();
    runner.setX0(x0);
    let loss = Number.NaN;
    for (let a = 0; a < p.adamSteps; a++) {
      if (p.learnSrm) {
        loss = await this.update('srmStep');
        runner.setYHat((await runner.run('yHat')).yHat);
      }
      if (p.learnCfm) loss = await this.update('cfmStep');
    }
    const fused = await runner.run('fuse');
    if (!p.learnSrm && !p.learnCfm) loss = (fused.loss.data as Float32Array)[0];
    return { xHat: runner.imageTensor(fused.xHat), loss };
  }

  /** Give up the runner's sessions (shared ones stay cached for the next image); the rest is garbage-collected. */
  dispose(): void {
    this.runner.dispose();
  }

  /** One Adam update of the module a gradient program differentiates; returns the loss before it. */
  private async update(program: 'warmupStep' | 'srmStep' | 'cfmStep'): Promise<number> {
    const { loss, grads } = await this.runner.gradients(program);
    if (program === 'cfmStep') this.adamCfm.step(this.runner.cfmParams.data, grads);
    else this.adamSrm.step(this.runner.srmParams.data, grads);
    return loss;
  }
}
