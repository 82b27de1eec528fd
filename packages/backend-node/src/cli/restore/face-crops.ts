import * as tf from '@tensorflow/tfjs-core';
import { alignFace, decodePhoto, scaleFaceTemplate, type FaceReport, type FaceTemplate, type FiveLandmarks, type RgbImage } from '@difbfsr/core';
import type { PixelImage } from './image-file.js';

/** How the faces of one image were restored. */
export interface CropGeometry {
  /** Where the prior wants the landmarks (undefined when it has no template). */
  template?: FaceTemplate;
  /** Side of the low-resolution aligned crop: prior resolution / scale. */
  side: number;
  scale: number;
}

/** An aligned crop as 8-bit RGB. */
function alignedCrop(photo: RgbImage, landmarks: FiveLandmarks, template: FaceTemplate, side: number): PixelImage {
  const { crop } = alignFace(photo, landmarks, scaleFaceTemplate(template, side), side);
  try {
    const values = tf.tidy(() => tf.clipByValue(tf.round(crop), 0, 255).dataSync());
    return { data: Uint8Array.from(values), width: side, height: side, channels: 3 };
  } finally {
    crop.dispose();
  }
}

/** The pixels of `box` (rounded outwards, clipped to the image), in the image's own form. */
function boxCrop(image: PixelImage, box: { x: number; y: number; width: number; height: number }, scale: number): PixelImage {
  const x0 = Math.max(0, Math.floor(box.x * scale));
  const y0 = Math.max(0, Math.floor(box.y * scale));
  const x1 = Math.min(image.width, Math.ceil((box.x + box.width) * scale));
  const y1 = Math.min(image.height, Math.ceil((box.y + box.height) * scale));
  const c = image.channels;
  const width = Math.max(1, x1 - x0);
  const height = Math.max(1, y1 - y0);
  const data = image.data instanceof Uint16Array ? new Uint16Array(width * height * c) : new Uint8Array(width * height * c);
  for (let y = 0; y < height; y++) {
    const from = ((y0 + y) * image.width + x0) * c;
    data.set(image.data.subarray(from, from + width * c), y * width * c);
  }
  return { data, width, height, channels: c };
}

/** Before and after crops of one face. */
export interface FaceCrops {
  input: PixelImage;
  restored: PixelImage;
}

/**
 * The crops `--save-faces` writes for each restored face (undefined for skipped ones): with
 * landmarks and a template, the low-resolution aligned crop the face was restored from (the same
 * `alignFace` the pipeline ran) and the same framing cut from the restored photo at `scale` times
 * the size; otherwise (an aligned input whose prior has no template) the face box of the input and
 * of the output.
 */
export function faceCrops(input: PixelImage, output: PixelImage, faces: readonly FaceReport[], geometry: CropGeometry): Array<FaceCrops | undefined> {
  const { template, side, scale } = geometry;
  let photos: { input: RgbImage; output: RgbImage } | undefined;
  return faces.map((face) => {
    if (face.skipped) return undefined;
    if (!face.landmarks || !template) return { input: boxCrop(input, face.box, 1), restored: boxCrop(output, face.box, scale) };
    photos ??= { input: decodePhoto(input).rgb, output: decodePhoto(output).rgb };
    const scaled = face.landmarks.map((p) => ({ x: p.x * scale, y: p.y * scale })) as unknown as FiveLandmarks;
    return {
      input: alignedCrop(photos.input, face.landmarks, template, side),
      restored: alignedCrop(photos.output, scaled, template, side * scale),
    };
  });
}
