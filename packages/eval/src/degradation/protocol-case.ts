import { DifbfsrError } from '@difbfsr/core';

/** One degradation case of the evaluation protocol (../shared/docs/evaluation.md, paper eq. 11). */
export interface ProtocolCase {
  /** 0 (hardest) .. 7 (easiest). */
  readonly index: number;
  /** Standard deviation of the Gaussian blur, in HR pixels. */
  readonly sigma: number;
  /** Standard deviation of the white Gaussian noise, on the 0..255 scale. */
  readonly noise: number;
  /** JPEG quality. */
  readonly quality: number;
}

/** How many cases the protocol defines. */
export const PROTOCOL_CASE_COUNT = 8;

/**
 * Case `i` of the protocol: `sigma = 3.2 - 0.2 i`, `noise = 30 - 30 i / 7`, `q = round(50 + 50 i / 7)`,
 * from case 0 = (3.2, 30, 50) to case 7 = (1.8, 0, 100).
 * @throws DifbfsrError `INVALID_OPTION` when `i` is not an integer in 0..7.
 */
export function protocolCase(i: number): ProtocolCase {
  if (!(Number.isInteger(i) && i >= 0 && i < PROTOCOL_CASE_COUNT)) {
    throw new DifbfsrError('INVALID_OPTION', `protocol case must be an integer in 0..${PROTOCOL_CASE_COUNT - 1}, got ${i}`);
  }
  return { index: i, sigma: 3.2 - 0.2 * i, noise: 30 - (30 * i) / 7, quality: Math.round(50 + (50 * i) / 7) };
}
