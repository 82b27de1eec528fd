import { basename } from 'node:path';
import { DifbfsrError } from '@difbfsr/core';

/** 32-bit FNV-1a hash of a string's UTF-16 code units. */
function fnv1a32(s: string): number {
  let h = 0x811c9dc5;
  for (let i = 0; i < s.length; i++) h = Math.imul(h ^ s.charCodeAt(i), 0x01000193);
  return h >>> 0;
}

/**
 * The noise seed of a face and protocol case: the 32-bit FNV-1a hash of `"<file name>#<case>"`,
 * with the file name stripped of its folder, so every method (and every machine) sees the same
 * LR input for a face and case wherever the faces live.
 */
export function noiseSeed(fileName: string, caseIndex: number): number {
  return fnv1a32(`${basename(fileName)}#${caseIndex}`);
}

/** splitmix32: a 32-bit generator whose state advances by the golden-ratio increment. */
function splitmix32(seed: number): () => number {
  let state = seed >>> 0;
  return () => {
    state = (state + 0x9e3779b9) >>> 0;
    let z = state;
    z = Math.imul(z ^ (z >>> 16), 0x85ebca6b);
    z = Math.imul(z ^ (z >>> 13), 0xc2b2ae35);
    return (z ^ (z >>> 16)) >>> 0;
  };
}

/**
 * `count` independent normal samples of standard deviation `std` from `seed`: splitmix32 gives
 * uniforms in (0, 1) with 53 random bits (two 32-bit draws each), turned into normal pairs by the
 * Box-Muller transform. The same seed gives the same samples on every platform.
 * @throws DifbfsrError `INVALID_OPTION` for a negative or non-finite `std` or a bad `count`.
 */
export function gaussianNoise(count: number, std: number, seed: number): Float64Array {
  if (!(Number.isFinite(std) && std >= 0)) throw new DifbfsrError('INVALID_OPTION', `noise std must be a finite number >= 0, got ${std}`);
  if (!(Number.isInteger(count) && count >= 0)) throw new DifbfsrError('INVALID_OPTION', `noise sample count must be an integer >= 0, got ${count}`);
  const next = splitmix32(seed);
  const uniform = () => ((next() >>> 5) * 67108864 + (next() >>> 6) + 0.5) / 9007199254740992;
  const out = new Float64Array(count);
  for (let i = 0; i < count; i += 2) {
    const r = Math.sqrt(-2 * Math.log(uniform()));
    const phi = 2 * Math.PI * uniform();
    out[i] = std * r * Math.cos(phi);
    if (i + 1 < count) out[i + 1] = std * r * Math.sin(phi);
  }
  return out;
}
