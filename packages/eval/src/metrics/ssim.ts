import { DifbfsrError } from '@difbfsr/core';
import { checkSameSize, type RgbImage } from '../image.js';

const WINDOW = 11;
const SIGMA = 1.5;
const C1 = (0.01 * 255) ** 2;
const C2 = (0.03 * 255) ** 2;

/** cv2.getGaussianKernel(11, 1.5): normalised 1-D Gaussian; its outer product is the SSIM window. */
function ssimKernel(): Float64Array {
  const r = (WINDOW - 1) / 2;
  const k = new Float64Array(WINDOW);
  let sum = 0;
  for (let j = 0; j < WINDOW; j++) sum += k[j] = Math.exp(-((j - r) ** 2) / (2 * SIGMA * SIGMA));
  for (let j = 0; j < WINDOW; j++) k[j] /= sum;
  return k;
}

/** 'valid' correlation of a `h x w` plane with the separable window: `(h - 10) x (w - 10)`. */
function filterValid(plane: Float64Array, h: number, w: number, k: Float64Array): Float64Array {
  const ow = w - WINDOW + 1;
  const oh = h - WINDOW + 1;
  const rows = new Float64Array(h * ow);
  for (let y = 0; y < h; y++)
    for (let x = 0; x < ow; x++) {
      let s = 0;
      for (let t = 0; t < WINDOW; t++) s += k[t] * plane[y * w + x + t];
      rows[y * ow + x] = s;
    }
  const out = new Float64Array(oh * ow);
  for (let y = 0; y < oh; y++)
    for (let x = 0; x < ow; x++) {
      let s = 0;
      for (let t = 0; t < WINDOW; t++) s += k[t] * rows[(y + t) * ow + x];
      out[y * ow + x] = s;
    }
  return out;
}

/** Mean SSIM of two single-channel planes (values 0..255), basicsr's `_ssim`. */
function ssimPlane(p: Float64Array, q: Float64Array, h: number, w: number, k: Float64Array): number {
  const pp = new Float64Array(p.length);
  const qq = new Float64Array(p.length);
  const pq = new Float64Array(p.length);
  for (let i = 0; i < p.length; i++) {
    pp[i] = p[i] * p[i];
    qq[i] = q[i] * q[i];
    pq[i] = p[i] * q[i];
  }
  const [mu1, mu2, s11, s22, s12] = [p, q, pp, qq, pq].map((x) => filterValid(x, h, w, k));
  let sum = 0;
  for (let i = 0; i < mu1.length; i++) {
    const m12 = mu1[i] * mu2[i];
    const m11 = mu1[i] * mu1[i];
    const m22 = mu2[i] * mu2[i];
    sum += ((2 * m12 + C1) * (2 * (s12[i] - m12) + C2)) / ((m11 + m22 + C1) * (s11[i] - m11 + s22[i] - m22 + C2));
  }
  return sum / mu1.length;
}

/**
 * SSIM of two uint8 RGB images as basicsr's `calculate_ssim` computes it on RGB (no crop, no
 * Y channel): per channel, an 11x11 Gaussian window of sigma 1.5 over the 'valid' region
 * (`cv2.filter2D(...)[5:-5, 5:-5]`), K1 = 0.01, K2 = 0.03, L = 255, the map's mean; then the
 * mean over the three channels.
 * @throws DifbfsrError `INVALID_SIZE` for images smaller than the window or of different sizes.
 */
export function ssim(a: RgbImage, b: RgbImage): number {
  checkSameSize(a, b, 'SSIM');
  const { width: w, height: h } = a;
  if (w < WINDOW || h < WINDOW) throw new DifbfsrError('INVALID_SIZE', `SSIM needs images of at least ${WINDOW}x${WINDOW}, got ${w}x${h}`);
  const k = ssimKernel();
  let total = 0;
  for (let c = 0; c < 3; c++) {
    const p = new Float64Array(w * h);
    const q = new Float64Array(w * h);
    for (let i = 0; i < w * h; i++) {
      p[i] = a.data[i * 3 + c];
      q[i] = b.data[i * 3 + c];
    }
    total += ssimPlane(p, q, h, w, k);
  }
  return total / 3;
}
