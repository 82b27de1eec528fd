import { readFileSync } from 'node:fs';
import { beforeAll, describe, expect, it } from 'vitest';
import { cosineBetas, diffusionTables, fullSchedule, linearBetas, linearSchedule, respace, spaceTimesteps, DifbfsrError } from '@difbfsr/core';
import { describeShared, sharedPath } from '../../../test-utils/shared.js';

function expectRelClose(actual: ArrayLike<number>, expected: number[], rel = 1e-6, what = ''): void {
  expect(actual.length, what).toBe(expected.length);
  for (let i = 0; i < expected.length; i++) {
    const tol = rel * Math.max(Math.abs(expected[i]), 1e-12);
    if (!(Math.abs(actual[i] - expected[i]) <= tol)) {
      throw new Error(`${what}[${i}]: got ${actual[i]}, expected ${expected[i]} (rel tol ${rel})`);
    }
  }
}

describeShared('schedules match guided-diffusion (fixtures/adm/schedules.json)', ['fixtures/adm/schedules.json'], () => {
  // Read in a hook, not while vitest collects the suite: without ../shared the suite is skipped.
  let fx: Record<string, Record<string, number[]>>;
  beforeAll(() => {
    fx = JSON.parse(readFileSync(sharedPath('fixtures/adm/schedules.json'), 'utf8')) as typeof fx;
  });

  it('linear betas and alphas_cumprod', () => {
    const linear = fx['linear1000'];
    const t = diffusionTables(fullSchedule(linearBetas(1000)));
    expectRelClose(t.betas, linear.betas, 1e-6, 'betas');
    expectRelClose(t.alphasCumprod, linear.alphas_cumprod, 1e-6, 'alphas_cumprod');
  });

  it('cosine betas', () => {
    expectRelClose(cosineBetas(1000), fx['cosine1000'].betas, 1e-6, 'cosine betas');
  });

  for (const spacing of ['100', '250', 'ddim100', 'ddim250', '25,25']) {
    it(`respacing "${spacing}": timesteps and every derived table`, () => {
      const ref = fx[`linear1000/${spacing}`];
      const sched = linearSchedule(spacing);
      expect([...sched.timesteps]).toEqual(ref.timesteps);
      const t = diffusionTables(sched);
      expectRelClose(t.betas, ref.betas, 1e-6, 'betas');
      expectRelClose(t.alphasCumprod, ref.alphas_cumprod, 1e-6, 'alphas_cumprod');
      expectRelClose(t.posteriorMeanCoef1, ref.posterior_mean_coef1, 1e-6, 'coef1');
      expectRelClose(t.posteriorMeanCoef2, ref.posterior_mean_coef2, 1e-6, 'coef2');
      expectRelClose(t.posteriorVariance, ref.posterior_variance, 1e-6, 'posterior_variance');
      expectRelClose(t.posteriorLogVarianceClipped, ref.posterior_log_variance_clipped, 1e-6, 'log variance clipped');
    });
  }
});

describe('spaceTimesteps semantics', () => {
  it('"100" keeps 0 and 999 with stride 999/99 (Python rounding)', () => {
    const s = spaceTimesteps(1000, '100');
    expect(s.length).toBe(100);
    expect(s[0]).toBe(0);
    expect(s[99]).toBe(999);
    // independent reference: round-half-even of i * 999/99
    const ref = Array.from({ length: 100 }, (_, i) => {
      const x = (i * 999) / 99;
      const f = Math.floor(x);
      const d = x - f;
      return d > 0.5 || (d === 0.5 && f % 2 === 1) ? f + 1 : f;
    });
    expect(s).toEqual(ref);
  });

  it('"ddim100" is range(0, 1000, 10)', () => {
    expect(spaceTimesteps(1000, 'ddim100')).toEqual(Array.from({ length: 100 }, (_, i) => 10 * i));
  });

  it('sections "25,25" split [0,500) and [500,1000)', () => {
    const s = spaceTimesteps(1000, '25,25');
    expect(s.length).toBe(50);
    expect(s[25]).toBe(500);
    expect(s.filter((x) => x < 500).length).toBe(25);
  });

  it('rejects impossible and malformed requests with typed errors', () => {
    expect(() => spaceTimesteps(1000, 'ddim3000')).toThrow(DifbfsrError);
    expect(() => spaceTimesteps(10, '20')).toThrow(/Cannot divide/);
    expect(() => spaceTimesteps(1000, 'abc')).toThrow(DifbfsrError);
  });
});

describe('custom schedules', () => {
  it('a respaced chain keeps abar at the kept timesteps', () => {
    const base = diffusionTables(fullSchedule(linearBetas()));
    const sp = diffusionTables(respace(linearBetas(), [3, 7]));
    const kept = spaceTimesteps(1000, [3, 7]);
    kept.forEach((tau, k) => expect(sp.alphasCumprod[k]).toBeCloseTo(base.alphasCumprod[tau], 12));
  });

  it('a researcher can pass their own betas; bad ones are refused', () => {
    const t = diffusionTables({ betas: Float64Array.from([0.1, 0.2, 0.3]), timesteps: [0, 5, 9] });
    expect(t.alphasCumprod[2]).toBeCloseTo(0.9 * 0.8 * 0.7, 14);
    expect(t.posteriorVariance[1]).toBeCloseTo((0.2 * (1 - 0.9)) / (1 - 0.72), 14);
    expect(() => diffusionTables({ betas: Float64Array.from([0, 0.1]), timesteps: [0, 1] })).toThrow(/betas must lie/);
    expect(() => diffusionTables({ betas: Float64Array.from([0.1]), timesteps: [0, 1] })).toThrow(/one timestep per beta/);
  });
});
