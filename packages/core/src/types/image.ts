/** An RGB image as the pipeline hands it to detectors: interleaved `[height, width, 3]`, values 0..255. */
export interface RgbImage {
  data: Float32Array;
  width: number;
  height: number;
}
