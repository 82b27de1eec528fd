import * as tf from '@tensorflow/tfjs-core';
import { beforeAll, describe, expect, it } from 'vitest';
import { GaussianPrior, gaussianLowPass, restoreWithInfo, type RestoreOptions } from '@difbfsr/core';
import { downsampleArea, upsampleNearest } from '../src/image/resize.js';
import { fixedFusion } from '../src/restore/fixed-fusion.js';
import { resolveRestoreOptions } from '../src/restore/resolve-options.js';
import { resolveChain } from '../src/restore/chain-settings.js';
import { contractionSettingsOf } from '../src/restore/contraction-settings.js';
import { maxAbsDiff, useBackend } from '../../../test-utils/backends.js';

const prior = new GaussianPrior({ resolution: 32, mean: 0, std: 0.5 });

/** The contraction settings restore() would run for an 8x8 input. */
function resolveSettings(options: RestoreOptions) {
  const r = resolveRestoreOptions(options);
  return contractionSettingsOf(r, prior, resolveChain(r.chain, prior, 8, 8));
}

describe("ablation 'ddnm': DDNM's range-null-space step [wasm]", () => {
  beforeAll(() => useBackend('wasm'));

  it('resolves to no SRM, no CFM, nearest y_hat and the A^+ A filter, whatever lowPass says', () => {
    const s = resolveSettings({ ablation: 'ddnm', lowPass: gaussianLowPass(3) });
    expect(s.srm).toBe(false);
    expect(s.cfm).toBe(false);
    expect(s.upsample).toBe('nearest');
    expect(s.lowPass.name).toBe('area-down x4 + nearest-up');
    expect(resolveSettings({ ablation: '#1' }).upsample).toBe('bicubic');
  });

  it('before clamping, down(x_hat) equals y and x_hat keeps the null-space part of x0, for any x0', () => {
    const s = resolveSettings({ ablation: 'ddnm' });
    const before = tf.memory().numTensors;
    tf.tidy(() => {
      const y = tf.randomUniform([1, 8, 8, 3], -1, 1, 'float32', 1) as tf.Tensor4D;
      const x0 = tf.randomUniform([1, 32, 32, 3], -3, 3, 'float32', 2) as tf.Tensor4D; // far outside [-1, 1] too
      const xHat = fixedFusion(upsampleNearest(y, 4), x0, s.lowPass);
      expect(maxAbsDiff(downsampleArea(xHat, 4), y)).toBeLessThan(1e-5);
      // Independent reference: every 4x4 block of x0 shifted by (y - block mean).
      const yv = y.dataSync();
      const xv = x0.dataSync();
      const ref = new Float32Array(xv.length);
      for (let bi = 0; bi < 8; bi++)
        for (let bj = 0; bj < 8; bj++)
          for (let c = 0; c < 3; c++) {
            let mean = 0;
            for (let i = 0; i < 4; i++) for (let j = 0; j < 4; j++) mean += xv[((bi * 4 + i) * 32 + bj * 4 + j) * 3 + c] / 16;
            const shift = yv[(bi * 8 + bj) * 3 + c] - mean;
            for (let i = 0; i < 4; i++) for (let j = 0; j < 4; j++) {
              const k = ((bi * 4 + i) * 32 + bj * 4 + j) * 3 + c;
              ref[k] = xv[k] + shift;
            }
          }
      expect(maxAbsDiff(xHat, ref)).toBeLessThan(1e-5);
    });
    expect(tf.memory().numTensors).toBe(before);
  });

  it('restore() runs it, leaks nothing, and its result explains the input far better than bicubic', async () => {
    const y = tf.tidy(() => tf.round(tf.randomUniform([8, 8, 3], 60, 195, 'float32', 3))) as tf.Tensor3D;
    const before = tf.memory().numTensors;
    const { output, info } = await restoreWithInfo(y, { prior, steps: 5, seed: 2, ablation: 'ddnm' });
    expect(output.shape).toEqual([32, 32, 3]);
    expect(info.srm).toBe(false);
    expect(info.cfm).toBe(false);
    expect(info.collapsed).toBe(false);
    expect(info.lrRmse).toBeLessThan(0.1 * info.baselineLrRmse);
    output.dispose();
    expect(tf.memory().numTensors).toBe(before);
    y.dispose();
  });
});
