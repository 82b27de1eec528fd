import * as tf from '@tensorflow/tfjs-core';
import { fidelityLoss } from './fidelity-loss.js';
import { fixedFusion } from './fixed-fusion.js';
import type { ContractionOptimizer, ContractionProblem, ContractionStep } from './contraction-optimizer.js';
import { ADAM_BETA1, ADAM_BETA2 } from './adam-settings.js';

/** Run `opt` on `f` over `vars`; returns the cost before the update. */
function minimize(opt: tf.Optimizer, f: () => tf.Scalar, vars: tf.Variable[]): number {
  const cost = opt.minimize(f, true, vars) as tf.Scalar;
  const v = cost.dataSync()[0];
  cost.dispose();
  return v;
}

/**
 * The SRM/CFM optimisation on the active tfjs backend, by autodiff and `tf.train.adam`: updates
 * the problem's modules in place.
 */
export class TfjsContractionOptimizer implements ContractionOptimizer {
  readonly name = 'tfjs';
  private readonly optPhi: tf.Optimizer;
  private readonly optEta: tf.Optimizer;

  constructor(private readonly p: ContractionProblem) {
    this.optPhi = tf.train.adam(p.srmLearningRate, ADAM_BETA1, ADAM_BETA2, p.adamEpsilon);
    this.optEta = tf.train.adam(p.cfmLearningRate, ADAM_BETA1, ADAM_BETA2, p.adamEpsilon);
  }

  async yHat(): Promise<tf.Tensor4D> {
    return this.yHatNow();
  }

  async warmupStep(): Promise<number> {
    const { p } = this;
    return minimize(this.optPhi, () => fidelityLoss(p.lowY, p.srm.apply(p.y), p.lrProjection, p.lrLowPass), p.srm.variables);
  }

  async diffusionStep(est: tf.Tensor4D): Promise<ContractionStep> {
    const { p } = this;
    let loss = Number.NaN;
    // The SRM output after the SRM step is a constant for the CFM step and the fusion: compute it once.
    let yHat = this.yHatNow();
    try {
      for (let a = 0; a < p.adamSteps; a++) {
        if (p.learnSrm) {
          loss = minimize(this.optPhi, () => fidelityLoss(p.lowY, this.fuse(p.srm.apply(p.y), est), p.lrProjection, p.lrLowPass), p.srm.variables);
          yHat.dispose();
          yHat = this.yHatNow();
        }
        const fixed = yHat;
        if (p.learnCfm) loss = minimize(this.optEta, () => fidelityLoss(p.lowY, this.fuse(fixed, est), p.lrProjection, p.lrLowPass), p.cfm.variables);
      }
    } catch (e) {
      yHat.dispose();
      throw e;
    }
    const xHat = this.fuse(yHat, est);
    yHat.dispose();
    if (!p.learnSrm && !p.learnCfm) loss = tf.tidy(() => fidelityLoss(p.lowY, xHat, p.lrProjection, p.lrLowPass).dataSync()[0]);
    return { xHat, loss };
  }

  dispose(): void {
    this.optPhi.dispose();
    this.optEta.dispose();
  }

  private yHatNow(): tf.Tensor4D {
    return this.p.learnSrm ? this.p.srm.apply(this.p.y) : tf.clone(this.p.upsampled);
  }

  private fuse(yHat: tf.Tensor4D, est: tf.Tensor4D): tf.Tensor4D {
    return tf.tidy(() => {
      const fused = this.p.learnCfm ? this.p.cfm.fuse(yHat, est, this.p.lowPass) : fixedFusion(yHat, est, this.p.lowPass);
      return tf.clipByValue(fused, -1, 1) as tf.Tensor4D;
    });
  }
}
