import * as tf from '@tensorflow/tfjs-core';
import type { FiveLandmarks } from '../types/face.js';
import { alignFace } from './align-face.js';
import { faceCropOf } from './face-crop.js';
import { featherMask } from './feather-mask.js';
import { pasteFace } from './paste-face.js';
import type { FaceCrop, FaceReport } from './photo-options.js';
import { restoreCrop, type PhotoRun } from './photo-run.js';
import type { FloatImage } from '../types/image.js';
import { composeAffine, scaling } from './similarity-transform.js';

/** Paste a restored face (`[S, S, 3]`, disposed here) into `rgb` through `toCrop`, filling in the face's report. */
function pasteRestored(run: PhotoRun, rgb: FloatImage, restored: tf.Tensor3D, mask: tf.Tensor4D, face: FaceReport): void {
  const { scale } = run;
  // output pixels -> photo pixels -> low-resolution crop -> restored crop (scale times larger)
  const toFace = composeAffine(scaling(scale), composeAffine(face.toCrop!, scaling(1 / scale)));
  const face4 = tf.expandDims(restored, 0) as tf.Tensor4D;
  restored.dispose();
  try {
    const pasted = pasteFace(rgb, face4, mask, toFace);
    Object.assign(face, { region: pasted?.region, colourShift: pasted?.colourShift });
  } finally {
    face4.dispose();
  }
}

/**
 * Align each chosen face to `lrTemplate` (the template at the low-resolution crop's side), restore
 * it, and paste it into the upscaled photo `rgb` (in place), filling in each face's report; with
 * `faceCrops`, return what was restored of each face, in the order of `chosen`.
 */
export async function restoreFaces(run: PhotoRun, chosen: FaceReport[], rgb: FloatImage, lrTemplate: FiveLandmarks): Promise<FaceCrop[]> {
  const mask = featherMask(run.prior.resolution, run.photo.feather * run.prior.resolution);
  const crops: FaceCrop[] = [];
  try {
    for (const [k, face] of chosen.entries()) {
      run.progress({ stage: 'face', face: k + 1, faces: chosen.length, step: 'align' });
      const { crop, toCrop, padded } = alignFace(run.pixels.rgb, face.landmarks!, lrTemplate, run.side);
      Object.assign(face, { toCrop, padded });
      try {
        const restored = await restoreCrop(run, crop, k + 1, chosen.length);
        face.restore = restored.info;
        if (run.photo.faceCrops) crops.push(faceCropOf(crop, restored));
        run.progress({ stage: 'face', face: k + 1, faces: chosen.length, step: 'paste' });
        pasteRestored(run, rgb, restored.output, mask, face);
      } finally {
        crop.dispose();
      }
    }
  } finally {
    mask.dispose();
  }
  return crops;
}
