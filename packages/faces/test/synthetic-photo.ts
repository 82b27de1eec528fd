import { readFileSync } from 'node:fs';
import * as tf from '@tensorflow/tfjs-core';
import { PNG } from 'pngjs';
import { invertAffine, warpAffine, type Affine2D, type Point, type RgbImage } from '@difbfsr/core';
import { featherMask } from '../../core/src/photo/feather-mask.js';

/** A PNG file as float RGB (0..255). */
export function readPng(path: string): RgbImage {
  const png = PNG.sync.read(readFileSync(path));
  const n = png.width * png.height;
  const data = new Float32Array(n * 3);
  for (let i = 0; i < n; i++) for (let c = 0; c < 3; c++) data[i * 3 + c] = png.data[i * 4 + c];
  return { data, width: png.width, height: png.height };
}

/** Similarity with scale `k`, rotation `deg` degrees about the origin, then translation. */
export function similarity(k: number, deg: number, tx: number, ty: number): Affine2D {
  const r = (deg * Math.PI) / 180;
  return { a: k * Math.cos(r), b: -k * Math.sin(r), c: k * Math.sin(r), d: k * Math.cos(r), tx, ty };
}

/** The similarity that puts a `side`-pixel face image, scaled by `k` and rotated `deg`, centred at `centre`. */
export function placement(side: number, k: number, deg: number, centre: Point): Affine2D {
  const m = similarity(k, deg, 0, 0);
  const c = side / 2;
  return { ...m, tx: centre.x - (m.a * c + m.b * c), ty: centre.y - (m.c * c + m.d * c) };
}

/** A seeded smooth, slightly textured background, 0..255. */
function background(width: number, height: number, seed: number): Float32Array {
  const data = new Float32Array(width * height * 3);
  let s = seed >>> 0;
  const rand = () => ((s = (s * 1664525 + 1013904223) >>> 0) / 2 ** 32);
  for (let y = 0; y < height; y++)
    for (let x = 0; x < width; x++)
      for (let c = 0; c < 3; c++)
        data[(y * width + x) * 3 + c] = 90 + 40 * Math.sin(x / 23 + c) + 30 * Math.cos(y / 17 - c) + 10 * rand();
  return data;
}

/**
 * A photo with each face image warped in by its `toPhoto` similarity (face pixel-edge coordinates to
 * photo coordinates; bilinear) and blended with a feathered square mask.
 */
export function composePhoto(width: number, height: number, faces: { image: RgbImage; toPhoto: Affine2D }[], seed = 1): RgbImage {
  const data = background(width, height, seed);
  const composed = tf.tidy(() => {
    let photo = tf.tensor4d(data, [1, height, width, 3]);
    for (const { image, toPhoto } of faces) {
      const side = image.width;
      const toFace = invertAffine(toPhoto);
      const face = tf.tensor4d(image.data, [1, image.height, image.width, 3]);
      const m = warpAffine(featherMask(side, side / 16), toFace, height, width);
      photo = tf.add(photo, tf.mul(m, tf.sub(warpAffine(face, toFace, height, width), photo)));
    }
    return photo;
  });
  const out = { data: composed.dataSync() as Float32Array, width, height };
  composed.dispose();
  return out;
}

/** Resize an RGB image with tfjs' bilinear resize (area-like when shrinking a lot is not needed here). */
export function resized(image: RgbImage, side: number): RgbImage {
  const out = tf.tidy(() =>
    tf.image.resizeBilinear(tf.tensor3d(image.data, [image.height, image.width, 3]), [side, side], false, true).dataSync(),
  ) as Float32Array;
  return { data: out, width: side, height: side };
}
