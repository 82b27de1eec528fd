import { InvalidOptionError } from '../errors.js';
import { resolveRestoreOptions, type ResolvedRestoreOptions } from '../restore/resolve-options.js';
import { positiveInt, positiveNumber, validateOptional } from '../restore/validate.js';
import type { PhotoOptions } from './photo-options.js';
import { DEFAULT_MAX_PIXELS } from './pixel-limit.js';

/** The photo-level options of {@link PhotoOptions}, checked and filled in. */
export interface ResolvedPhotoLevel {
  aligned: boolean;
  onlyCenterFace: boolean;
  /** Undefined: three quarters of the prior's input side, known once the prior is. */
  minFaceSize?: number;
  /** Undefined: the prior's resolution. */
  maxFaceSize?: number;
  maxFaces: number;
  maxPixels: number;
  feather: number;
  faceCrops: boolean;
}

/** {@link PhotoOptions} checked once: the photo-level options and the `restore()` options of every face. */
export interface ResolvedPhotoOptions {
  photo: ResolvedPhotoLevel;
  restore: ResolvedRestoreOptions;
}

/**
 * Check every option of `restorePhoto()` that needs neither the photo nor the prior (the
 * `restore()` options of each face included), and fill in the defaults.
 * @throws InvalidOptionError (`INVALID_OPTION`) naming the first option with a value it does not take.
 */
export function resolvePhotoOptions(options: PhotoOptions = {}): ResolvedPhotoOptions {
  const feather = options.feather ?? 0.125;
  if (!(typeof feather === 'number' && feather > 0 && feather <= 0.5)) throw new InvalidOptionError('feather', 'must be in (0, 0.5]', feather);
  const { detector: _detector, template: _template, onProgress: _onProgress, signal, ...restore } = options;
  return {
    photo: {
      aligned: options.aligned ?? false,
      onlyCenterFace: options.onlyCenterFace ?? false,
      minFaceSize: validateOptional(positiveNumber, 'minFaceSize', options.minFaceSize),
      maxFaceSize: validateOptional(positiveNumber, 'maxFaceSize', options.maxFaceSize),
      maxFaces: validateOptional(positiveInt, 'maxFaces', options.maxFaces) ?? Infinity,
      maxPixels: validateOptional(positiveInt, 'maxPixels', options.maxPixels) ?? DEFAULT_MAX_PIXELS,
      feather,
      faceCrops: options.faceCrops ?? false,
    },
    restore: resolveRestoreOptions({ ...restore, signal }),
  };
}
