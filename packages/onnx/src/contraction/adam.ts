import { ADAM_BETA1 as BETA1, ADAM_BETA2 as BETA2, RESTORE_DEFAULTS } from '@difbfsr/core';

const f32 = Math.fround;

/**
 * Adam on Float32Arrays, updating the parameters in place: the arithmetic of tfjs's
 * AdamOptimizer (moments, bias correction by the accumulated beta powers, `epsilon` added to
 * `sqrt(v_hat)`), each operation rounded to float32 in the same order as tfjs computes it.
 */
export class Adam {
  private readonly m: Float32Array[];
  private readonly v: Float32Array[];
  private accBeta1 = f32(BETA1);
  private accBeta2 = f32(BETA2);

  constructor(
    private readonly learningRate: number,
    sizes: readonly number[],
    private readonly epsilon: number = RESTORE_DEFAULTS.adamEpsilon,
  ) {
    this.m = sizes.map((n) => new Float32Array(n));
    this.v = sizes.map((n) => new Float32Array(n));
  }

  /** One update of every parameter array from its gradient (same order and sizes as the constructor's). */
  step(params: readonly Float32Array[], grads: readonly Float32Array[]): void {
    const b1 = f32(BETA1);
    const b2 = f32(BETA2);
    const oneMinusB1 = f32(1 - BETA1);
    const oneMinusB2 = f32(1 - BETA2);
    const oneMinusAcc1 = f32(1 - this.accBeta1);
    const oneMinusAcc2 = f32(1 - this.accBeta2);
    const eps = f32(this.epsilon);
    const negLr = f32(-this.learningRate);
    params.forEach((p, j) => {
      const g = grads[j];
      const m = this.m[j];
      const v = this.v[j];
      for (let i = 0; i < p.length; i++) {
        const gi = g[i];
        const mi = f32(f32(m[i] * b1) + f32(gi * oneMinusB1));
        const vi = f32(f32(v[i] * b2) + f32(f32(gi * gi) * oneMinusB2));
        m[i] = mi;
        v[i] = vi;
        const mHat = f32(mi / oneMinusAcc1);
        const vHat = f32(vi / oneMinusAcc2);
        p[i] = f32(f32(f32(mHat / f32(f32(Math.sqrt(vHat)) + eps)) * negLr) + p[i]);
      }
    });
    this.accBeta1 = f32(this.accBeta1 * b1);
    this.accBeta2 = f32(this.accBeta2 * b2);
  }
}
