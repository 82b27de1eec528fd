import { InvalidOptionError } from '../errors.js';

/** `v`, checked to be an integer >= `min`. @throws InvalidOptionError naming the option. */
export function positiveInt(name: string, v: unknown, min = 1): number {
  if (!(typeof v === 'number' && Number.isInteger(v) && v >= min)) throw new InvalidOptionError(name, `must be an integer >= ${min}`, v);
  return v;
}

/** `v`, checked to be a finite number > 0. @throws InvalidOptionError naming the option. */
export function positiveNumber(name: string, v: unknown): number {
  if (!(typeof v === 'number' && Number.isFinite(v) && v > 0)) throw new InvalidOptionError(name, 'must be a positive number', v);
  return v;
}

/** `v`, checked to be a finite number >= 0. @throws InvalidOptionError naming the option. */
export function nonNegativeNumber(name: string, v: unknown): number {
  if (!(typeof v === 'number' && Number.isFinite(v) && v >= 0)) throw new InvalidOptionError(name, 'must be a number >= 0', v);
  return v;
}

/** `v`, checked to lie in [0, 1]. @throws InvalidOptionError naming the option. */
export function unitInterval(name: string, v: unknown): number {
  if (!(typeof v === 'number' && v >= 0 && v <= 1)) throw new InvalidOptionError(name, 'must be in [0, 1]', v);
  return v;
}

/** `v`, checked to be one of `values`. @throws InvalidOptionError naming the option and the values. */
export function oneOf<T extends string>(name: string, v: unknown, values: readonly T[]): T {
  if (!(values as readonly unknown[]).includes(v)) throw new InvalidOptionError(name, `must be one of ${values.join(', ')}`, v);
  return v as T;
}

/** `v`, checked to be a power of two >= 2 (an upscaling factor). @throws InvalidOptionError naming the option. */
export function powerOfTwo(name: string, v: unknown): number {
  if (!(typeof v === 'number' && v >= 2 && Number.isInteger(Math.log2(v)))) throw new InvalidOptionError(name, 'must be a power of two (2, 4, 8, ...)', v);
  return v;
}

/** `check(name, v)` when `v` is given, else undefined. */
export function validateOptional<T>(check: (name: string, v: unknown) => T, name: string, v: unknown): T | undefined {
  return v === undefined ? undefined : check(name, v);
}
