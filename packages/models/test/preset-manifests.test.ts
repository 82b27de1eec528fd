import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { detectPreset, getPreset, UNET_PRESETS, unetParamCount, unetTensorList, type TensorShapeSource } from '@difbfsr/models';
import { describeShared, sharedPath } from '../../../test-utils/shared.js';

interface Manifest {
  params: number;
  tensors: Array<[string, number[]]>;
}

const readManifest = (name: string): Manifest =>
  JSON.parse(readFileSync(sharedPath(`fixtures/checkpoint-manifests/${name}.json`), 'utf8')) as Manifest;

/** A checkpoint stand-in holding only names and shapes. */
function shapesOf(tensors: Array<[string, number[]]>): TensorShapeSource {
  const map = new Map(tensors);
  return {
    names: () => [...map.keys()],
    get: (name) => ({ shape: map.get(name)! }),
  };
}

const manifests = ['ffhq256-p2', 'ffhq512-difface', 'imagenet256-adm-uncond'];

describeShared(
  'presets reproduce the public checkpoints exactly',
  [...manifests, 'celebahq256-sdedit'].map((m) => `fixtures/checkpoint-manifests/${m}.json`),
  () => {
    for (const name of manifests) {
      it(`${name}: same tensor names and shapes (and state_dict order), same parameter count`, () => {
        const manifest = readManifest(name);
        const preset = getPreset(name);
        expect(unetTensorList(preset.config)).toEqual(manifest.tensors);
        expect(unetParamCount(preset.config)).toBe(manifest.params);
        expect(preset.params).toBe(manifest.params);
      });

      it(`${name}: detectPreset finds it from names and shapes alone`, () => {
        expect(detectPreset(shapesOf(readManifest(name).tensors))?.name).toBe(name);
      });
    }

    it('detectPreset rejects a different architecture family (SDEdit celeba_hq)', () => {
      expect(detectPreset(shapesOf(readManifest('celebahq256-sdedit').tensors))).toBeUndefined();
    });

    it('detectPreset rejects a checkpoint with one tensor missing, extra or mis-shaped', () => {
      const tensors = readManifest('ffhq256-p2').tensors;
      expect(detectPreset(shapesOf(tensors.slice(1)))).toBeUndefined();
      expect(detectPreset(shapesOf([...tensors, ['label_emb.weight', [1000, 512]]]))).toBeUndefined();
      const reshaped = tensors.map(([n, s]): [string, number[]] => [n, n === 'out.2.weight' ? [3, 128, 3, 3] : s]);
      expect(detectPreset(shapesOf(reshaped))).toBeUndefined();
    });
  },
);

describe('preset metadata', () => {
  it('ffhq256-difface has the parameter count measured with DifFace code (adm-unet.md 2.2)', () => {
    expect(unetParamCount(getPreset('ffhq256-difface').config)).toBe(124_056_710);
    expect(getPreset('ffhq256-difface').params).toBe(124_056_710);
  });

  it('every preset says where to download it, on what terms, and with which schedule', () => {
    for (const p of UNET_PRESETS) {
      expect(p.checkpoints.length).toBeGreaterThan(0);
      for (const c of p.checkpoints) for (const url of c.urls) expect(url).toMatch(/^https:\/\//);
      expect(p.licence.commercialUse).toMatch(/^(forbidden|unclear)$/);
      expect(p.schedule).toMatchObject({ steps: 1000, noiseSchedule: 'linear', prediction: 'epsilon' });
      expect(p.params).toBe(unetParamCount(p.config));
    }
    expect(new Set(UNET_PRESETS.map((p) => p.name)).size).toBe(UNET_PRESETS.length);
  });

  it('getPreset names the known presets when asked for an unknown one', () => {
    expect(() => getPreset('ffhq1024')).toThrow(expect.objectContaining({ code: 'INVALID_OPTION', message: expect.stringMatching(/ffhq256-p2/) }));
  });
});
