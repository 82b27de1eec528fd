import { checkRgb, type RgbImage } from '../image.js';
import { gaussianBlur } from './gaussian-blur.js';
import { jpegRoundTrip } from './jpeg.js';
import { imresize } from './matlab-imresize.js';
import { gaussianNoise, noiseSeed } from './noise.js';
import { protocolCase, type ProtocolCase } from './protocol-case.js';
import { quantizeToUint8 } from './quantize.js';

/** A face degraded by one protocol case. */
export interface DegradedFace {
  /** The LR input every method sees: the decoded JPEG. */
  readonly lr: RgbImage;
  /** The JPEG file the LR input was decoded from. */
  readonly jpeg: Uint8Array;
  /** The LR image before JPEG (after noise, rounding and clipping). */
  readonly beforeJpeg: RgbImage;
  readonly protocol: ProtocolCase;
  /** Seed of the noise draw ({@link noiseSeed} of the face's file name and the case). */
  readonly noiseSeed: number;
}

/**
 * `round_clip(down_s(x * k_sigma) + n)`: the protocol up to (not including) the JPEG step, with
 * the noise drawn from `seed`. All in float64; one rounding at the end.
 */
export function degradeBeforeJpeg(hr: RgbImage, protocol: ProtocolCase, seed: number, scale = 4): RgbImage {
  const low = imresize(gaussianBlur(hr, protocol.sigma), 1 / scale);
  const noise = gaussianNoise(low.data.length, protocol.noise, seed);
  for (let i = 0; i < noise.length; i++) low.data[i] += noise[i];
  return quantizeToUint8(low);
}

/**
 * The evaluation protocol (../shared/docs/evaluation.md, paper eq. 11):
 * `y = JPEG_q(down_s(x * k_sigma) + n)` for case `caseIndex`, with the noise seeded from
 * (`fileName`, case) so every method sees the same LR input.
 * @param hr the clean HR face (uint8 RGB)
 * @param fileName the face's file name (its folder is ignored)
 */
export async function degrade(hr: RgbImage, caseIndex: number, fileName: string, scale = 4): Promise<DegradedFace> {
  checkRgb(hr, 'HR face');
  const protocol = protocolCase(caseIndex);
  const seed = noiseSeed(fileName, caseIndex);
  const beforeJpeg = degradeBeforeJpeg(hr, protocol, seed, scale);
  const { bytes, image } = await jpegRoundTrip(beforeJpeg, protocol.quality);
  return { lr: image, jpeg: bytes, beforeJpeg, protocol, noiseSeed: seed };
}
