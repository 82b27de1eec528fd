import type { RgbImage } from '../image.js';
import { DifbfsrError, type SparseOperator } from '@difbfsr/core';

/** Apply `rows` along the height and `cols` along the width of an RGB image, in float64. */
export function applySeparableOperator(img: RgbImage<Uint8Array | Float64Array>, rows: SparseOperator, cols: SparseOperator): RgbImage<Float64Array> {
  const { width, height, data } = img;
  if (rows.inLength !== height || cols.inLength !== width) {
    throw new DifbfsrError('INVALID_SIZE', `operator sizes ${rows.inLength}x${cols.inLength} do not fit a ${height}x${width} image`);
  }
  const outW = cols.outLength;
  const outH = rows.outLength;
  const tmp = new Float64Array(height * outW * 3);
  for (let y = 0; y < height; y++) {
    for (let o = 0; o < outW; o++) {
      for (let c = 0; c < 3; c++) {
        let s = 0;
        for (let t = 0; t < cols.taps; t++) s += cols.weights[o * cols.taps + t] * data[(y * width + cols.indices[o * cols.taps + t]) * 3 + c];
        tmp[(y * outW + o) * 3 + c] = s;
      }
    }
  }
  const out = new Float64Array(outH * outW * 3);
  for (let o = 0; o < outH; o++) {
    for (let x = 0; x < outW; x++) {
      for (let c = 0; c < 3; c++) {
        let s = 0;
        for (let t = 0; t < rows.taps; t++) s += rows.weights[o * rows.taps + t] * tmp[(rows.indices[o * rows.taps + t] * outW + x) * 3 + c];
        out[(o * outW + x) * 3 + c] = s;
      }
    }
  }
  return { width: outW, height: outH, data: out };
}
