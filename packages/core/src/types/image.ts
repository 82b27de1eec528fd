/** An RGB image as the pipeline hands it to detectors: interleaved `[height, width, 3]`, values 0..255. */
export interface RgbImage {
  data: Float32Array;
  width: number;
  height: number;
}

/** A per-pixel standard deviation map of a restore, in 0..255 units (HWC, 3 channels). */
export interface UncertaintyMap {
  data: Float32Array;
  width: number;
  height: number;
  channels: 3;
}
