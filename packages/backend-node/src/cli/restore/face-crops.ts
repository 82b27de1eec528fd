import type { FaceCrop } from '@difbfsr/core';
import type { PixelImage } from './image-file.js';
import { uncertaintyHeatMap } from './uncertainty-heat-map.js';

/** What the command writes of one restored face beside the output. */
export interface FaceFiles {
  /** `--save-faces`: the aligned low-resolution crop and the restored face before pasting. */
  crops?: { input: PixelImage; restored: PixelImage };
  /** `--save-uncertainty`: the uncertainty map as a heat map. */
  uncertainty?: PixelImage;
}

/** What to write of each face, from what `restorePhoto()` returned of it (`faceCrops`). */
export function faceFiles(crop: FaceCrop | undefined, want: { saveFaces: boolean; saveUncertainty: boolean }): FaceFiles {
  if (!crop) return {};
  return {
    ...(want.saveFaces ? { crops: { input: crop.input as PixelImage, restored: crop.restored as PixelImage } } : {}),
    ...(want.saveUncertainty && crop.uncertainty ? { uncertainty: uncertaintyHeatMap(crop.uncertainty) } : {}),
  };
}
