import type { FloatImage } from '@difbfsr/core';
import type { PixelImage } from './image-file.js';

/** Grey levels (0..255 scale) of posterior standard deviation that the heat map shows as white. */
export const UNCERTAINTY_SCALE = 32;

/** The colour ramp: black, red, yellow, white at 0, 1/3, 2/3 and 1 of {@link UNCERTAINTY_SCALE}. */
const RAMP: ReadonlyArray<readonly [number, number, number]> = [
  [0, 0, 0],
  [255, 0, 0],
  [255, 255, 0],
  [255, 255, 255],
];

/** The ramp's colour at `t` in [0, 1], linear between its stops. */
function rampColour(t: number): [number, number, number] {
  const x = Math.min(1, Math.max(0, t)) * (RAMP.length - 1);
  const i = Math.min(RAMP.length - 2, Math.floor(x));
  const f = x - i;
  const [a, b] = [RAMP[i], RAMP[i + 1]];
  return [0, 1, 2].map((c) => Math.round(a[c] + f * (b[c] - a[c]))) as [number, number, number];
}

/**
 * An uncertainty map as an 8-bit RGB heat map: each pixel's standard deviation averaged over its
 * three channels, 0 black, through red and yellow, to white at {@link UNCERTAINTY_SCALE} or more.
 */
export function uncertaintyHeatMap(map: FloatImage): PixelImage {
  const n = map.width * map.height;
  const data = new Uint8Array(n * 3);
  for (let p = 0; p < n; p++) {
    const std = (map.data[3 * p] + map.data[3 * p + 1] + map.data[3 * p + 2]) / 3;
    data.set(rampColour(std / UNCERTAINTY_SCALE), 3 * p);
  }
  return { data, width: map.width, height: map.height, channels: 3 };
}
