/** The sample arrays a {@link RawImage} holds. */
export type PixelData = Uint8Array | Uint8ClampedArray | Uint16Array;

/**
 * Interleaved integer pixels, `ImageData`-like: what `restore()` and `restorePhoto()` take and
 * give back. 8-bit (`Uint8Array`, `Uint8ClampedArray`) or 16-bit (`Uint16Array`, for example
 * sharp's `raw({ depth: 'ushort' })`), with 1 (grey), 2 (grey + alpha), 3 (RGB) or 4 (RGBA)
 * channels. Pixels are taken as stored: decode EXIF orientation before (sharp's `rotate()`).
 */
export interface RawImage<D extends PixelData = PixelData> {
  data: D;
  width: number;
  height: number;
  /** Inferred from `data.length` when absent. */
  channels?: number;
}

/** Interleaved float pixels `[height, width, channels]` held in JavaScript memory, values 0..255. */
export interface FloatImage {
  data: Float32Array;
  width: number;
  height: number;
  channels: number;
}

/** An RGB image as the pipeline hands it to detectors: interleaved `[height, width, 3]`, values 0..255. */
export interface RgbImage {
  data: Float32Array;
  width: number;
  height: number;
}
