import type { RgbImage } from '../image.js';

/** Round half to even (numpy's `round`), so the protocol's rounding matches degrade.py exactly. */
export function roundHalfEven(x: number): number {
  const r = Math.round(x);
  return r - x === 0.5 && r % 2 !== 0 ? r - 1 : r;
}

/** Round (half to even) and clip float pixel values to uint8 0..255. */
export function quantizeToUint8(img: RgbImage<Float64Array>): RgbImage {
  const data = new Uint8Array(img.data.length);
  for (let i = 0; i < data.length; i++) data[i] = Math.min(255, Math.max(0, roundHalfEven(img.data[i])));
  return { width: img.width, height: img.height, data };
}
