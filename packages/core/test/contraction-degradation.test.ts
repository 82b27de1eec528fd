import * as tf from '@tensorflow/tfjs-core';
import { afterEach, beforeAll, describe, expect, it } from 'vitest';
import { ConditionalFusionModule, RESTORE_DEFAULTS, degradationMatrix, downUpLowPass, GaussianPrior, gaussianLowPass, lrConsistencyRmse, lrProjection, resizeBicubic, restoreWithInfo, SeededRandom, setDefaultFaceModel, SuperResolutionModule, TfjsContractionOptimizer, type ContractionOptimizerFactory, type ContractionProblem, type Matrix1D } from '@difbfsr/core';
import { areaMatrix } from '../src/image/resize-matrices.js';
import { toMatrix1D } from '../src/degradation/degradation-operator.js';
import { maxAbsDiff, useBackend } from '../../../test-utils/backends.js';

const prior = new GaussianPrior({ resolution: 32, mean: 0, std: 0.5 });
const BASE = { prior, steps: 3, seed: 1, warmupIters: 2 } as const;

/** A smooth 8x8 LR face-like input in 0..255. */
function lrFace(): tf.Tensor3D {
  return tf.tidy(() => tf.round(tf.image.resizeBilinear(tf.randomUniform([3, 3, 3], 50, 205, 'float32', 7) as tf.Tensor3D, [8, 8], true))) as tf.Tensor3D;
}

/** A tfjs optimiser factory that records the problems it is given. */
function spy(): { factory: ContractionOptimizerFactory; problems: ContractionProblem[] } {
  const problems: ContractionProblem[] = [];
  return {
    problems,
    factory: (p) => {
      problems.push(p);
      return new TfjsContractionOptimizer(p);
    },
  };
}

function expectMatrix(m: Matrix1D, ref: Matrix1D): void {
  expect([m.rows, m.cols]).toEqual([ref.rows, ref.cols]);
  expect(maxAbsDiff(m.data, ref.data)).toBe(0);
}

describe('the contraction data term through the degradation operator D [wasm]', () => {
  let y: tf.Tensor3D;
  beforeAll(async () => {
    await useBackend('wasm');
    y = lrFace();
  });
  afterEach(() => setDefaultFaceModel(undefined));

  it('a given degradation: D (blur, then MATLAB bicubic down) in the loss and the collapse check, reported in info', async () => {
    const degradation = { blur: 1.6, noise: 4 };
    const { factory, problems } = spy();
    const before = tf.memory().numTensors;
    const { output, info } = await restoreWithInfo(y, { ...BASE, degradation, optimizer: factory });
    expect(info.degradation).toEqual({ ...degradation, estimated: false });
    const d = toMatrix1D(degradationMatrix(32, 4, 1.6));
    expectMatrix(problems[0].lrProjection.rows, d);
    expectMatrix(problems[0].lrProjection.cols, d);
    // The default LR low-pass follows the noise: sigma = lrSigmaPerNoise * noise.
    expect(problems[0].lrLowPass.name).toBe(gaussianLowPass(RESTORE_DEFAULTS.lrSigmaPerNoise * 4).name);
    // The reported LR consistency is the one under D (the output is rounded to 0..255: 1/255 at most).
    const lp = gaussianLowPass(RESTORE_DEFAULTS.lrSigmaPerNoise * 4);
    const [underD, underArea] = tf.tidy(() => {
      const lowY = lp.apply(tf.sub(tf.div(tf.expandDims(y, 0), 127.5), 1) as tf.Tensor4D);
      const x = tf.sub(tf.div(tf.expandDims(output, 0), 127.5), 1) as tf.Tensor4D;
      return [lrConsistencyRmse(lowY, x, { rows: d, cols: d }, lp), lrConsistencyRmse(lowY, x, 4, lp)];
    });
    expect(Math.abs(info.lrRmse - underD)).toBeLessThan(2 / 255);
    expect(Math.abs(info.lrRmse - underArea)).toBeGreaterThan(5 * Math.abs(info.lrRmse - underD));
    output.dispose();
    expect(tf.memory().numTensors).toBe(before);
  });

  it('no degradation and no estimator: area downsampling and sigma 1, as before, and no degradation in info', async () => {
    const { factory, problems } = spy();
    const { output, info } = await restoreWithInfo(y, { ...BASE, optimizer: factory });
    expect(info.degradation).toBeUndefined();
    expectMatrix(problems[0].lrProjection.rows, areaMatrix(32, 8));
    expectMatrix(problems[0].lrProjection.cols, areaMatrix(32, 8));
    expect(problems[0].lrLowPass.name).toBe('gaussian(sigma=1)');
    output.dispose();
  });

  it("a registered estimator's estimate is used and reported; lrSigmaPerNoise widens the LR low-pass with its noise", async () => {
    const seen: number[][] = [];
    const estimator = { name: 'fake', estimate: (lr: tf.Tensor4D) => (seen.push(lr.shape), { blur: 2.2, noise: 12 }) };
    setDefaultFaceModel({ degradationEstimator: async () => estimator });
    const { factory, problems } = spy();
    const { output, info } = await restoreWithInfo(y, { ...BASE, optimizer: factory, lrSigmaPerNoise: 0.05 });
    expect(seen).toEqual([[1, 8, 8, 3]]);
    expect(info.degradation).toEqual({ blur: 2.2, noise: 12, estimated: true });
    expectMatrix(problems[0].lrProjection.rows, toMatrix1D(degradationMatrix(32, 4, 2.2)));
    expect(problems[0].lrLowPass.name).toBe(gaussianLowPass(0.05 * 12).name);
    output.dispose();
    // A given degradation wins over the estimator; an explicit lrLowPass over the noise rule.
    const given = await restoreWithInfo(y, { ...BASE, optimizer: factory, degradation: { blur: 1, noise: 30 }, lrLowPass: gaussianLowPass(0.5), lrSigmaPerNoise: 0.05 });
    expect(seen).toHaveLength(1);
    expect(given.info.degradation).toEqual({ blur: 1, noise: 30, estimated: false });
    expect(problems[1].lrLowPass.name).toBe('gaussian(sigma=0.5)');
    given.output.dispose();
    // Bad sizes and options fail before the estimator runs.
    const wrong = tf.zeros([7, 7, 3]) as tf.Tensor3D;
    await expect(restoreWithInfo(wrong, BASE)).rejects.toMatchObject({ code: 'INVALID_SIZE' });
    await expect(restoreWithInfo(y, { ...BASE, adamSteps: 0 })).rejects.toMatchObject({ code: 'INVALID_OPTION' });
    expect(seen).toHaveLength(1);
    wrong.dispose();
  });

  it('the warm-up fits the SRM under D: D S(y) explains y better than after a warm-up under area downsampling', async () => {
    const D = lrProjection(32, 32, 4, { blur: 2.5, noise: 0 });
    const missAfterWarmup = async (down: ContractionProblem['lrProjection']): Promise<number> => {
      const rng = new SeededRandom(3);
      const srm = new SuperResolutionModule(rng, { scale: 4 });
      const cfm = new ConditionalFusionModule(rng, { kernelSize: 3 });
      const lrLowPass = gaussianLowPass(0.5);
      const lr = tf.tidy(() => tf.sub(tf.div(tf.expandDims(y, 0), 127.5), 1) as tf.Tensor4D);
      const [lowY, upsampled] = [lrLowPass.apply(lr), resizeBicubic(lr, 32, 32)];
      const p: ContractionProblem = {
        ...{ y: lr, lowY, upsampled, srm, cfm, scale: 4, learnSrm: true, learnCfm: false, adamSteps: 1 },
        ...{ srmLearningRate: 2e-3, cfmLearningRate: 5e-3, adamEpsilon: RESTORE_DEFAULTS.adamEpsilon, lowPass: downUpLowPass(4), lrLowPass, lrProjection: down },
      };
      const opt = new TfjsContractionOptimizer(p);
      for (let i = 0; i < 60; i++) await opt.warmupStep();
      const yHat = await opt.yHat();
      const miss = lrConsistencyRmse(lowY, yHat, D, lrLowPass);
      tf.dispose([yHat, lr, lowY, upsampled]);
      opt.dispose();
      srm.dispose();
      cfm.dispose();
      return miss;
    };
    const underD = await missAfterWarmup(D);
    const underArea = await missAfterWarmup(lrProjection(32, 32, 4));
    // Measured: 0.0066 against 0.0208 (fitting y under area downsampling leaves D's blur in S(y)).
    expect(underD).toBeLessThan(0.5 * underArea);
  });

  it('rejects a bad degradation or lrSigmaPerNoise with INVALID_OPTION', async () => {
    await expect(restoreWithInfo(y, { ...BASE, degradation: { blur: -1, noise: 0 } })).rejects.toMatchObject({ code: 'INVALID_OPTION', message: expect.stringMatching(/degradation/) });
    await expect(restoreWithInfo(y, { ...BASE, lrSigmaPerNoise: -0.1 })).rejects.toMatchObject({ code: 'INVALID_OPTION', message: expect.stringMatching(/lrSigmaPerNoise/) });
  });
});
