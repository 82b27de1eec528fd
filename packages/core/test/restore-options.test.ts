import * as tf from '@tensorflow/tfjs-core';
import { beforeAll, describe, expect, it } from 'vitest';
import { ConditionalFusionModule, GaussianPrior, InvalidOptionError, RESTORE_DEFAULTS, restorePhoto, restoreWithInfo, SeededRandom, type FaceDetector, type RestoreOptions } from '@difbfsr/core';
import { resolveRestoreOptions } from '../src/restore/resolve-options.js';
import { resolvePhotoOptions } from '../src/photo/resolve-photo-options.js';
import { usePlainBackend } from '../../../test-utils/plain-backend.js';

/** The InvalidOptionError `fn` throws (any other outcome fails the test). */
function optionErrorOf(fn: () => unknown): InvalidOptionError {
  try {
    fn();
  } catch (e) {
    if (e instanceof InvalidOptionError) return e;
    throw e;
  }
  throw new Error('expected an InvalidOptionError');
}

describe('restore() options: one home for the defaults, one validation', () => {
  beforeAll(() => usePlainBackend('cpu'));

  it("method 'auto' is the posterior sampler where a Gaussian face model goes with the prior, and posterior chains default to their own step count", () => {
    const gaussianModel = {} as NonNullable<RestoreOptions['gaussianModel']>; // only its presence is read here
    const prior = new GaussianPrior({ resolution: 16, mean: 0, std: 0.5 });
    expect(resolveRestoreOptions({ gaussianModel }).run.method).toBe('posterior');
    expect(resolveRestoreOptions({ gaussianModel }).chain.steps).toBe(RESTORE_DEFAULTS.posteriorSteps);
    expect(resolveRestoreOptions({ gaussianModel, ablation: '#4' }).run.method).toBe('diffusion');
    expect(resolveRestoreOptions({ prior }).run.method).toBe('diffusion'); // a prior of its own, no Gaussian model
    expect(resolveRestoreOptions({ prior }).chain.steps).toBe(RESTORE_DEFAULTS.steps);
    expect(resolveRestoreOptions({ method: 'gaussian', prior }).run.method).toBe('gaussian');
  });

  it('fills every unset option from RESTORE_DEFAULTS, grouped by kind', () => {
    const r = resolveRestoreOptions();
    // 'auto' with no face model registered here (no Gaussian model): the contraction.
    expect(RESTORE_DEFAULTS.method).toBe('auto');
    expect(r.run).toMatchObject({ method: 'diffusion', backend: RESTORE_DEFAULTS.backend, optimizer: RESTORE_DEFAULTS.backend, samples: RESTORE_DEFAULTS.samples, fidelity: 1, uncertainty: true });
    expect(r.chain).toEqual({ scale: RESTORE_DEFAULTS.scale, steps: RESTORE_DEFAULTS.steps, strength: RESTORE_DEFAULTS.strength });
    expect(r.optimisation).toMatchObject({
      srm: true,
      cfm: true,
      ddnm: false,
      cfmKernelSize: RESTORE_DEFAULTS.cfmKernelSize,
      warmupIters: RESTORE_DEFAULTS.warmupIters,
      adamEpsilon: RESTORE_DEFAULTS.adamEpsilon,
      lrSigmaPerNoise: RESTORE_DEFAULTS.lrSigmaPerNoise,
      collapseRetries: RESTORE_DEFAULTS.collapseRetries,
    });
    expect(r.call).toEqual({ seed: RESTORE_DEFAULTS.seed, previewEvery: RESTORE_DEFAULTS.previewEvery });
    // The CFM module on its own defaults to restore()'s kernel too (it said 7 where restore() said 3).
    const cfm = new ConditionalFusionModule(new SeededRandom(0));
    expect(cfm.kernelSize).toBe(RESTORE_DEFAULTS.cfmKernelSize);
    cfm.dispose();
  });

  it('an ablation sets the switches; the optimiser follows the backend unless given', () => {
    expect(resolveRestoreOptions({ ablation: '#2', srm: true }).optimisation).toMatchObject({ srm: false, cfm: true, ddnm: false });
    expect(resolveRestoreOptions({ ablation: 'ddnm' }).optimisation).toMatchObject({ srm: false, cfm: false, ddnm: true });
    expect(resolveRestoreOptions({ backend: 'tfjs' }).run.optimizer).toBe('tfjs');
    expect(resolveRestoreOptions({ backend: 'tfjs', optimizer: 'auto' }).run.optimizer).toBe('auto');
    expect(resolveRestoreOptions({ degradation: { blur: 2, noise: 5, chroma: 1 } }).run.degradation).toEqual({ blur: 2, noise: 5, chroma: 1 });
  });

  const BAD: Array<[RestoreOptions, string, RegExp]> = [
    [{ method: 'magic' as 'gaussian' }, 'method', /method must be one of auto, diffusion, posterior, gaussian, got "magic"/],
    [{ steps: 0 }, 'steps', /steps must be an integer >= 1, got 0/],
    [{ steps: 2.5 }, 'steps', /integer/],
    [{ strength: 0 }, 'strength', /strength must be in \(0, 1\], got 0/],
    [{ scale: 3 }, 'scale', /scale must be a power of two/],
    [{ samples: 0 }, 'samples', /samples must be an integer >= 1/],
    [{ fidelity: 1.5 }, 'fidelity', /fidelity must be in \[0, 1\]/],
    [{ degradation: { blur: -1, noise: 3 } }, 'degradation.blur', /degradation\.blur must be a number >= 0, got -1/],
    [{ degradation: { blur: 1, noise: Number.NaN } }, 'degradation.noise', /degradation\.noise/],
    [{ cfmKernelSize: 4 }, 'cfmKernelSize', /odd positive integer/],
    [{ warmupIters: -1 }, 'warmupIters', /warmupIters must be an integer >= 0/],
    [{ lrSigmaPerNoise: -0.1 }, 'lrSigmaPerNoise', /lrSigmaPerNoise must be a number >= 0/],
    [{ ablation: '#5' as '#1' }, 'ablation', /ablation must be one of #1, #2, #3, #4, ddnm/],
    [{ srmStart: 'zero' as 'dip' }, 'srmStart', /srmStart must be one of bicubic, dip/],
    [{ seed: -1 }, 'seed', /seed must be an integer >= 0/],
    [{ collapseRetries: 1.5 }, 'collapseRetries', /collapseRetries must be an integer >= 0/],
  ];
  for (const [options, option, message] of BAD) {
    it(`rejects ${JSON.stringify(options)}: InvalidOptionError naming ${option}`, () => {
      const e = optionErrorOf(() => resolveRestoreOptions(options));
      expect([e.code, e.option]).toEqual(['INVALID_OPTION', option]);
      expect(e.message).toMatch(message);
    });
  }

  it('restore() and restorePhoto() refuse a bad option before any work (no prior, no detector call)', async () => {
    let detections = 0;
    const detector: FaceDetector = { detect: async () => (detections++, []) };
    const prior = new GaussianPrior({ resolution: 16 });
    const photo = { data: new Uint8Array(20 * 20 * 3), width: 20, height: 20 };
    await expect(restorePhoto(photo, { detector, prior, fidelity: 2 })).rejects.toMatchObject({ option: 'fidelity' });
    await expect(restorePhoto(photo, { detector, prior, maxFaces: 0 })).rejects.toMatchObject({ option: 'maxFaces' });
    expect(detections).toBe(0);
    const lr = tf.zeros([4, 4, 3]) as tf.Tensor3D;
    const before = tf.memory().numTensors;
    await expect(restoreWithInfo(lr, { prior, steps: -3 })).rejects.toMatchObject({ option: 'steps' });
    expect(tf.memory().numTensors).toBe(before);
    lr.dispose();
  });

  it('resolvePhotoOptions checks the photo-level options and the restore options of every face', () => {
    const r = resolvePhotoOptions({ maxFaces: 2, feather: 0.25, steps: 7 });
    expect(r.photo).toMatchObject({ maxFaces: 2, feather: 0.25, aligned: false, faceCrops: false });
    expect(r.restore.chain.steps).toBe(7);
    expect(optionErrorOf(() => resolvePhotoOptions({ feather: 0.6 })).option).toBe('feather');
    expect(optionErrorOf(() => resolvePhotoOptions({ minFaceSize: -2 })).option).toBe('minFaceSize');
    expect(optionErrorOf(() => resolvePhotoOptions({ maxPixels: 1.5 })).option).toBe('maxPixels');
  });
});
