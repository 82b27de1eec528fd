import type { Matrix1D } from './resize-matrices.js';

/** Lanczos window of order `a`: `sinc(x) sinc(x / a)` for `|x| < a`, else 0. */
function lanczos(x: number, a: number): number {
  if (x === 0) return 1;
  if (Math.abs(x) >= a) return 0;
  const px = Math.PI * x;
  return (a * Math.sin(px) * Math.sin(px / a)) / (px * px);
}

/**
 * Rows `outStart..outEnd-1` of the Lanczos resampling operator from `inSize` to `outSize` samples
 * (half-pixel centres, indices outside the signal clamped, each row normalised to sum 1), restricted
 * to the input samples those rows touch. `inStart` is the first input sample of the block, so the
 * block applies to `input[inStart .. inStart + matrix.cols)`. Large images are resampled tile by
 * tile with these blocks, so the cost stays linear in the number of pixels.
 */
export function lanczosBlock(
  inSize: number,
  outSize: number,
  outStart: number,
  outEnd: number,
  options: { order?: number; antialias?: boolean } = {},
): { matrix: Matrix1D; inStart: number } {
  const a = options.order ?? 3;
  const scale = outSize / inSize;
  const stretch = options.antialias && scale < 1 ? scale : 1;
  const support = a / stretch;
  const rows: { lo: number; w: number[] }[] = [];
  let first = inSize;
  let last = -1;
  for (let i = outStart; i < outEnd; i++) {
    const center = (i + 0.5) / scale - 0.5;
    const lo = Math.floor(center - support) + 1;
    const hi = Math.ceil(center + support) - 1;
    const w: number[] = [];
    for (let j = lo; j <= hi; j++) w.push(lanczos((center - j) * stretch, a));
    rows.push({ lo, w });
    first = Math.min(first, Math.max(lo, 0));
    last = Math.max(last, Math.min(hi, inSize - 1));
  }
  const cols = last - first + 1;
  const data = new Float32Array((outEnd - outStart) * cols);
  rows.forEach(({ lo, w }, r) => {
    const sum = w.reduce((s, v) => s + v, 0);
    w.forEach((wj, k) => {
      const src = Math.min(Math.max(lo + k, 0), inSize - 1);
      data[r * cols + src - first] += wj / sum;
    });
  });
  return { matrix: { rows: outEnd - outStart, cols, data }, inStart: first };
}

/**
 * Lanczos resampling (order `a`, default 3: Lanczos3) from `inSize` to `outSize` samples, with
 * half-pixel centres (`PIL`/`OpenCV` geometry); indices outside the signal are clamped and every row is
 * normalised to sum 1, so constants pass unchanged. With `antialias` and `outSize < inSize` the
 * kernel is stretched by the scale factor. Apply with `applySeparable`.
 */
export function lanczosMatrix(inSize: number, outSize: number, options: { order?: number; antialias?: boolean } = {}): Matrix1D {
  const { matrix, inStart } = lanczosBlock(inSize, outSize, 0, outSize, options);
  if (inStart === 0 && matrix.cols === inSize) return matrix;
  const full = new Float32Array(outSize * inSize);
  for (let i = 0; i < outSize; i++) full.set(matrix.data.subarray(i * matrix.cols, (i + 1) * matrix.cols), i * inSize + inStart);
  return { rows: outSize, cols: inSize, data: full };
}
