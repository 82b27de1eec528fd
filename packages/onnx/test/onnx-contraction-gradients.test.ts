import * as tf from '@tensorflow/tfjs-core';
import { beforeAll, describe, expect, it } from 'vitest';
import { ADAM_BETA1, ADAM_BETA2, RESTORE_DEFAULTS, ConditionalFusionModule, downUpLowPass, fidelityLoss, gaussianLowPass, lrProjection, resizeBicubic, SeededRandom, SuperResolutionModule, type ContractionProblem } from '@difbfsr/core';
import { fixedFusion } from '../../core/src/restore/fixed-fusion.js';
import { Adam } from '../src/contraction/adam.js';
import { ContractionRunner } from '../src/contraction/contraction-runner.js';
import { useBackend } from '../../../test-utils/backends.js';

/** `[O, I, k, k]` back to tfjs `[k, k, I, O]`. */
function oihwToHwio(data: Float32Array, k: number, inC: number, outC: number): Float32Array {
  const out = new Float32Array(data.length);
  for (let ky = 0; ky < k; ky++)
    for (let kx = 0; kx < k; kx++)
      for (let i = 0; i < inC; i++)
        for (let o = 0; o < outC; o++) out[((ky * k + kx) * inC + i) * outC + o] = data[((o * inC + i) * k + ky) * k + kx];
  return out;
}

/** LR 6x5 (not square, so that rows and columns cannot be swapped unnoticed), x4. */
const LR = [6, 5] as const;
const lrLowPass = gaussianLowPass(1);
const lowPass = downUpLowPass(4);

interface Case {
  start: 'bicubic' | 'dip';
  kernelSize: number;
  learnCfm?: boolean;
  /** LR height and width (default {@link LR}). */
  lr?: readonly [number, number];
  /** Blur (HR pixels) of the loss's degradation operator D; area downsampling when absent. */
  blur?: number;
}

/** A problem whose every layer is non-zero (the zero-initialised heads would hide the gradients below them). */
function problemOf(c: Case, seed: number): ContractionProblem & { x0: tf.Tensor4D } {
  const rng = new SeededRandom(seed);
  const srm = new SuperResolutionModule(rng, { scale: 4, start: c.start });
  const cfm = new ConditionalFusionModule(rng, { kernelSize: c.kernelSize });
  for (const v of [...srm.variables, ...cfm.variables]) v.assign(tf.tidy(() => tf.add(v, rng.uniform(v.shape, -0.05, 0.05))));
  // y and x0 reach past [-1, 1] after upsampling and fusion, so that both clamps are active somewhere.
  const [lh, lw] = c.lr ?? LR;
  const hr = [4 * lh, 4 * lw] as const;
  const y = rng.uniform<tf.Rank.R4>([1, lh, lw, 3], -1, 1);
  const x0 = rng.uniform<tf.Rank.R4>([1, ...hr, 3], -1.3, 1.3);
  return {
    y,
    x0,
    lowY: lrLowPass.apply(y),
    upsampled: resizeBicubic(y, ...hr),
    srm,
    cfm,
    scale: 4,
    learnSrm: true,
    learnCfm: c.learnCfm ?? true,
    adamSteps: 1,
    srmLearningRate: 2e-3,
    cfmLearningRate: 5e-3,
    adamEpsilon: RESTORE_DEFAULTS.adamEpsilon,
    lowPass,
    lrLowPass,
    lrProjection: lrProjection(hr[0], hr[1], 4, c.blur === undefined ? undefined : { blur: c.blur, noise: 0 }),
  };
}

function disposeProblem(p: ReturnType<typeof problemOf>): void {
  tf.dispose([p.y, p.x0, p.lowY, p.upsampled]);
  p.srm.dispose();
  p.cfm.dispose();
}

/** Largest |ort - tfjs| over a variable, relative to the largest |tfjs| of that variable. */
function relErrors(vars: tf.Variable[], tfGrads: tf.NamedTensorMap, ort: Float32Array[]): number[] {
  return vars.map((v, i) => {
    const ref = tfGrads[v.name].dataSync();
    const [k, , inC, outC] = v.shape as number[];
    const got = v.rank === 4 ? oihwToHwio(ort[i], k, inC, outC) : ort[i];
    let worst = 0;
    let scale = 0;
    for (let j = 0; j < ref.length; j++) {
      worst = Math.max(worst, Math.abs(got[j] - ref[j]));
      scale = Math.max(scale, Math.abs(ref[j]));
    }
    expect(scale).toBeGreaterThan(0);
    return worst / scale;
  });
}

function fused(p: ReturnType<typeof problemOf>, yHat: tf.Tensor4D): tf.Tensor4D {
  return p.learnCfm ? p.cfm.fuse(yHat, p.x0, p.lowPass) : fixedFusion(yHat, p.x0, p.lowPass);
}

describe('ONNX Runtime contraction graphs: losses and gradients equal tfjs autodiff [wasm]', () => {
  beforeAll(() => useBackend('wasm'));

  const cases: Case[] = [
    { start: 'bicubic', kernelSize: 7, blur: 1.3 },
    { start: 'bicubic', kernelSize: 3 },
    { start: 'dip', kernelSize: 7 },
    { start: 'dip', kernelSize: 3, blur: 2 },
  ];
  cases.forEach((c, n) => {
    it(`SRM step and CFM step, srmStart ${c.start}, kernel ${c.kernelSize}, D ${c.blur === undefined ? 'area' : `blur ${c.blur}`}`, async () => {
      const p = problemOf(c, 10 + n);
      const runner = await ContractionRunner.create(p, { threads: 2 });
      runner.setX0(p.x0);
      // Both clamps act somewhere: S(y) (bicubic start) and the fusion.
      tf.tidy(() => {
        const yHat = p.srm.apply(p.y);
        if (c.start === 'bicubic') expect(tf.sum(tf.equal(tf.abs(yHat), 1)).dataSync()[0]).toBeGreaterThan(0);
        expect(tf.sum(tf.greater(tf.abs(fused(p, yHat)), 1)).dataSync()[0]).toBeGreaterThan(10);
      });

      const srmRef = tf.variableGrads(() => fidelityLoss(p.lowY, tf.clipByValue(fused(p, p.srm.apply(p.y)), -1, 1) as tf.Tensor4D, p.lrProjection, lrLowPass), p.srm.variables);
      const srm = await runner.gradients('srmStep');
      expect(Math.abs(srm.loss - srmRef.value.dataSync()[0])).toBeLessThan(1e-5 * srm.loss);
      expect(Math.max(...relErrors(p.srm.variables, srmRef.grads, srm.grads))).toBeLessThan(1e-4);

      const yHat = p.srm.apply(p.y);
      runner.setYHat((await runner.run('yHat')).yHat);
      const cfmRef = tf.variableGrads(() => fidelityLoss(p.lowY, tf.clipByValue(p.cfm.fuse(yHat, p.x0, p.lowPass), -1, 1) as tf.Tensor4D, p.lrProjection, lrLowPass), p.cfm.variables);
      const cfm = await runner.gradients('cfmStep');
      expect(Math.abs(cfm.loss - cfmRef.value.dataSync()[0])).toBeLessThan(1e-5 * cfm.loss);
      expect(Math.max(...relErrors(p.cfm.variables, cfmRef.grads, cfm.grads))).toBeLessThan(1e-4);

      tf.dispose([srmRef.value, cfmRef.value, yHat, ...Object.values(srmRef.grads), ...Object.values(cfmRef.grads)]);
      disposeProblem(p);
    });
  });

  // HR 4 x 8 and k = 7: the pad (3) is the height less one, so both mirrored strips of the rows fold
  // onto overlapping rows; the SRM gradient reaches y_hat through that fold.
  it('SRM step and CFM step on an image barely larger than the CFM pad', async () => {
    const p = problemOf({ start: 'bicubic', kernelSize: 7, lr: [1, 2], blur: 1.5 }, 40);
    const runner = await ContractionRunner.create(p, { threads: 2 });
    runner.setX0(p.x0);
    const srmRef = tf.variableGrads(() => fidelityLoss(p.lowY, tf.clipByValue(p.cfm.fuse(p.srm.apply(p.y), p.x0, p.lowPass), -1, 1) as tf.Tensor4D, p.lrProjection, lrLowPass), p.srm.variables);
    const srm = await runner.gradients('srmStep');
    expect(Math.abs(srm.loss - srmRef.value.dataSync()[0])).toBeLessThan(1e-5 * srm.loss);
    expect(Math.max(...relErrors(p.srm.variables, srmRef.grads, srm.grads))).toBeLessThan(1e-4);
    tf.dispose([srmRef.value, ...Object.values(srmRef.grads)]);
    disposeProblem(p);
  });

  it('warm-up step (x_hat = S(y)) and the SRM step through the fixed filter', async () => {
    const p = problemOf({ start: 'bicubic', kernelSize: 7, learnCfm: false, blur: 1.8 }, 20);
    const runner = await ContractionRunner.create(p, { threads: 2 });
    runner.setX0(p.x0);
    const warmRef = tf.variableGrads(() => fidelityLoss(p.lowY, p.srm.apply(p.y), p.lrProjection, lrLowPass), p.srm.variables);
    const warm = await runner.gradients('warmupStep');
    expect(Math.abs(warm.loss - warmRef.value.dataSync()[0])).toBeLessThan(1e-5 * warm.loss);
    expect(Math.max(...relErrors(p.srm.variables, warmRef.grads, warm.grads))).toBeLessThan(1e-4);
    const fixedRef = tf.variableGrads(() => fidelityLoss(p.lowY, tf.clipByValue(fused(p, p.srm.apply(p.y)), -1, 1) as tf.Tensor4D, p.lrProjection, lrLowPass), p.srm.variables);
    const fixed = await runner.gradients('srmStep');
    expect(Math.abs(fixed.loss - fixedRef.value.dataSync()[0])).toBeLessThan(1e-5 * fixed.loss);
    expect(Math.max(...relErrors(p.srm.variables, fixedRef.grads, fixed.grads))).toBeLessThan(1e-4);
    tf.dispose([warmRef.value, fixedRef.value, ...Object.values(warmRef.grads), ...Object.values(fixedRef.grads)]);
    disposeProblem(p);
  });

  it('the fused estimate and S(y) equal core modules', async () => {
    for (const learnCfm of [true, false]) {
      const p = problemOf({ start: 'bicubic', kernelSize: 5, learnCfm }, 30);
      const runner = await ContractionRunner.create(p, { threads: 2 });
      runner.setX0(p.x0);
      const yHat = await runner.run('yHat');
      runner.setYHat(yHat.yHat);
      const out = await runner.run('fuse');
      tf.tidy(() => {
        const ref = p.srm.apply(p.y);
        expect(tf.max(tf.abs(tf.sub(runner.imageTensor(yHat.yHat), ref))).dataSync()[0]).toBeLessThan(1e-5);
        const xHat = tf.clipByValue(fused(p, ref), -1, 1) as tf.Tensor4D;
        expect(tf.max(tf.abs(tf.sub(runner.imageTensor(out.xHat), xHat))).dataSync()[0]).toBeLessThan(1e-5);
        expect(Math.abs((out.loss.data as Float32Array)[0] - fidelityLoss(p.lowY, xHat, p.lrProjection, lrLowPass).dataSync()[0])).toBeLessThan(1e-7);
      });
      disposeProblem(p);
    }
  });
});

describe('Adam on Float32Arrays', () => {
  beforeAll(() => useBackend('wasm'));

  it.each([
    ['the default epsilon', undefined],
    ['epsilon 1e-5', 1e-5],
  ])("equals tf.train.adam's updates, step after step, with %s", (_, epsilon) => {
    const rng = new SeededRandom(4);
    const shapes = [[3, 3, 4, 5], [5]];
    const vars = shapes.map((s) => tf.variable(rng.uniform(s, -1, 1)));
    const mine = vars.map((v) => Float32Array.from(v.dataSync()));
    const tfAdam = epsilon === undefined ? tf.train.adam(2e-3) : tf.train.adam(2e-3, ADAM_BETA1, ADAM_BETA2, epsilon);
    const adam = new Adam(2e-3, mine.map((m) => m.length), epsilon);
    let worst = 0;
    for (let step = 0; step < 5; step++) {
      // Gradients of very different sizes, some zero, as the optimisation sees them.
      const grads = shapes.map((s, i) => tf.tidy(() => tf.mul(rng.uniform(s, -1, 1), step === 2 && i === 1 ? 0 : 10 ** -(step + i))));
      tfAdam.applyGradients(vars.map((v, i) => ({ name: v.name, tensor: grads[i] })));
      adam.step(mine, grads.map((g) => g.dataSync() as Float32Array));
      vars.forEach((v, i) => {
        const ref = v.dataSync();
        for (let j = 0; j < ref.length; j++) worst = Math.max(worst, Math.abs(ref[j] - mine[i][j]));
      });
      tf.dispose(grads);
    }
    // Every operation rounded to float32 in tfjs's order: bit-identical.
    expect(worst).toBe(0);
    tfAdam.dispose();
    tf.dispose(vars);
  });
});
