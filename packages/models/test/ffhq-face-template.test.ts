import { describe, expect, it } from 'vitest';
import { scaleFaceTemplate } from '@difbfsr/core';
import { ffhqFaceTemplate, getPreset, UNET_PRESETS } from '@difbfsr/models';

/** The template of issue #17 (facexlib's FFHQ 512 px template), pixels (x, y). */
const FFHQ_512 = [
  [192.98, 239.95],
  [318.9, 240.19],
  [256.63, 314.02],
  [201.26, 371.41],
  [313.09, 371.15],
];

describe('the FFHQ face template', () => {
  it('is the five-point template of FFHQ-aligned 512 px crops, scaled to the size asked for', () => {
    for (const size of [512, 256, 64]) {
      const t = ffhqFaceTemplate(size);
      expect(t.size).toBe(size);
      t.points.forEach((p, i) => {
        expect(p.x).toBeCloseTo((FFHQ_512[i][0] * size) / 512, 10);
        expect(p.y).toBeCloseTo((FFHQ_512[i][1] * size) / 512, 10);
      });
      // What restorePhoto() does with it: valid, and scaling it again is exact.
      expect(scaleFaceTemplate(t, 512).map((p) => [p.x, p.y].map((v) => Math.round(v * 100) / 100))).toEqual(FFHQ_512);
    }
    expect(() => ffhqFaceTemplate(0)).toThrow(expect.objectContaining({ code: 'INVALID_OPTION' }));
  });

  it('every FFHQ preset carries it at its own resolution; the ImageNet model, not a face prior, has none', () => {
    for (const name of ['ffhq256-p2', 'ffhq256-difface', 'ffhq512-difface']) {
      const preset = getPreset(name);
      expect(preset.faceTemplate).toEqual(ffhqFaceTemplate(preset.config.image_size));
    }
    expect(getPreset('imagenet256-adm-uncond').faceTemplate).toBeUndefined();
    expect(UNET_PRESETS.filter((p) => p.faceTemplate).map((p) => p.name).sort()).toEqual(['ffhq256-difface', 'ffhq256-p2', 'ffhq512-difface']);
  });
});
