import { DifbfsrError } from '../errors.js';

/** `v`, checked to be an integer >= `min`. @throws DifbfsrError `INVALID_OPTION` naming the option. */
export function positiveInt(name: string, v: number, min = 1): number {
  if (!Number.isInteger(v) || v < min) throw new DifbfsrError('INVALID_OPTION', `${name} must be an integer >= ${min}, got ${v}`);
  return v;
}

/** `v`, checked to be a finite number > 0. @throws DifbfsrError `INVALID_OPTION` naming the option. */
export function positiveNumber(name: string, v: number): number {
  if (!(Number.isFinite(v) && v > 0)) throw new DifbfsrError('INVALID_OPTION', `${name} must be a positive number, got ${v}`);
  return v;
}

/** `v`, checked to be a finite number >= 0. @throws DifbfsrError `INVALID_OPTION` naming the option. */
export function nonNegativeNumber(name: string, v: number): number {
  if (!(Number.isFinite(v) && v >= 0)) throw new DifbfsrError('INVALID_OPTION', `${name} must be a number >= 0, got ${v}`);
  return v;
}

/** `v`, checked to lie in [0, 1]. @throws DifbfsrError `INVALID_OPTION` naming the option. */
export function unitInterval(name: string, v: number): number {
  if (!(v >= 0 && v <= 1)) throw new DifbfsrError('INVALID_OPTION', `${name} must be in [0, 1], got ${v}`);
  return v;
}
