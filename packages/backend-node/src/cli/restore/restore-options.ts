import { InvalidOptionError, resolvePhotoOptions, type PhotoOptions, type ResolvedPhotoOptions } from '@difbfsr/core';
import { CliUsageError } from '../exit-status.js';
import { OUTPUT_FORMATS, type OutputFormat } from './output-paths.js';

/** The options of `difbfsr restore` as commander hands them over (strings, unchecked). */
export interface RawRestoreOptions {
  output: string;
  ext?: string;
  suffix: string;
  json?: string;
  saveFaces?: boolean;
  saveUncertainty?: boolean;
  method?: string;
  samples?: string;
  fidelity?: string;
  blur?: string;
  noise?: string;
  chroma?: string;
  seed?: string;
  steps?: string;
  strength?: string;
  warmupIters?: string;
  scale?: string;
  model?: string;
  backend?: string;
  device?: string;
  faceTemplate?: string;
  aligned?: boolean;
  onlyCenterFace?: boolean;
  maxFaces?: string;
  minFaceSize?: string;
  maxFaceSize?: string;
  maxPixels?: string;
}

/** The `restorePhoto()` options the command line sets (photo-level and `restore()`). */
export type PhotoCommandOptions = Pick<
  PhotoOptions,
  | 'method'
  | 'samples'
  | 'fidelity'
  | 'degradation'
  | 'backend'
  | 'seed'
  | 'steps'
  | 'strength'
  | 'warmupIters'
  | 'scale'
  | 'aligned'
  | 'onlyCenterFace'
  | 'maxFaces'
  | 'minFaceSize'
  | 'maxFaceSize'
  | 'maxPixels'
>;

/** Parsed options of `difbfsr restore`, the `restorePhoto()` ones checked by `@difbfsr/core`. */
export interface RestoreCommandOptions {
  /** Output folder. */
  output: string;
  /** Output format; undefined: the input's. */
  format?: OutputFormat;
  suffix: string;
  /** Write the JSON report: to `file`, or to stdout when `file` is undefined (`--json -`). */
  json?: { file?: string };
  saveFaces: boolean;
  /** Write each face's uncertainty map as a heat map to `<output>/faces/`. */
  saveUncertainty: boolean;
  /** `--model`: a checkpoint file, a preset name or `bundled`. */
  model?: string;
  /** Where ONNX Runtime runs the prior: `cuda` (or fail), `cpu`, or `auto` (CUDA when installed). */
  device: Device;
  /** `--face-template`: `ffhq` or a JSON file; undefined: the prior's (its preset's) own. */
  faceTemplate?: string;
  /** The `restorePhoto()` options as given. */
  photo: PhotoCommandOptions;
  /** The same, checked, with `@difbfsr/core`'s defaults filled in. */
  resolved: ResolvedPhotoOptions;
}

/** `--device` values (`@difbfsr/core`'s `RuntimeDevice`). */
export const DEVICES = ['auto', 'cpu', 'cuda'] as const;
export type Device = (typeof DEVICES)[number];

function deviceOf(text: string | undefined, backend: string | undefined): Device {
  if (text === undefined) return 'auto';
  if (!(DEVICES as readonly string[]).includes(text)) throw new CliUsageError(`--device must be one of ${DEVICES.join(', ')}, got "${text}"`);
  if (text === 'cuda' && backend === 'tfjs') throw new CliUsageError('--device cuda runs the prior on ONNX Runtime: use --backend onnx or auto, not tfjs');
  return text as Device;
}

/** A flag's number (its range is `@difbfsr/core`'s to check). */
function numberOf(flag: string, text: string | undefined): number | undefined {
  if (text === undefined) return undefined;
  const v = Number(text);
  if (text.trim() === '' || Number.isNaN(v)) throw new CliUsageError(`${flag} must be a number, got "${text}"`);
  return v;
}

function formatOf(text: string | undefined): OutputFormat | undefined {
  if (text === undefined) return undefined;
  const ext = text.toLowerCase().replace(/^\./, '');
  const format = ext === 'jpeg' ? 'jpg' : ext;
  if (!(OUTPUT_FORMATS as readonly string[]).includes(format)) throw new CliUsageError(`--ext must be one of ${OUTPUT_FORMATS.join(', ')}, got "${text}"`);
  return format as OutputFormat;
}

/** `--blur S --noise N [--chroma C]`: a known degradation, all or nothing. */
function degradationOf(raw: RawRestoreOptions): PhotoOptions['degradation'] {
  if (raw.blur === undefined && raw.noise === undefined && raw.chroma === undefined) return undefined;
  if (raw.blur === undefined || raw.noise === undefined) throw new CliUsageError('--blur and --noise go together (a known degradation instead of the estimate; --chroma needs both)');
  const chroma = numberOf('--chroma', raw.chroma);
  return { blur: numberOf('--blur', raw.blur)!, noise: numberOf('--noise', raw.noise)!, ...(chroma === undefined ? {} : { chroma }) };
}

/** The `restorePhoto()` options of the flags, parsed to numbers. */
function photoOptionsOf(raw: RawRestoreOptions): PhotoCommandOptions {
  const options: PhotoCommandOptions = {
    method: raw.method as PhotoOptions['method'],
    samples: numberOf('--samples', raw.samples),
    fidelity: numberOf('--fidelity', raw.fidelity),
    degradation: degradationOf(raw),
    backend: raw.backend,
    seed: numberOf('--seed', raw.seed),
    steps: numberOf('--steps', raw.steps),
    strength: numberOf('--strength', raw.strength),
    warmupIters: numberOf('--warmup-iters', raw.warmupIters),
    scale: numberOf('--scale', raw.scale),
    aligned: raw.aligned === true,
    onlyCenterFace: raw.onlyCenterFace === true,
    maxFaces: numberOf('--max-faces', raw.maxFaces),
    minFaceSize: numberOf('--min-face-size', raw.minFaceSize),
    maxFaceSize: numberOf('--max-face-size', raw.maxFaceSize),
    maxPixels: numberOf('--max-pixels', raw.maxPixels),
  };
  return Object.fromEntries(Object.entries(options).filter(([, v]) => v !== undefined)) as PhotoCommandOptions;
}

/** The flag of a `restorePhoto()` option (`warmupIters` -> `--warmup-iters`, `degradation.blur` -> `--blur`). */
export function flagOf(option: string): string {
  return `--${option.replace(/^degradation\./, '').replace(/[A-Z]/g, (c) => `-${c.toLowerCase()}`)}`;
}

/** `@difbfsr/core`'s check of the options, its error naming the flag and the text given. */
function checked(photo: PhotoCommandOptions, raw: RawRestoreOptions): ResolvedPhotoOptions {
  try {
    return resolvePhotoOptions(photo);
  } catch (e) {
    if (!(e instanceof InvalidOptionError)) throw e;
    const text = raw[e.option.replace(/^degradation\./, '') as keyof RawRestoreOptions];
    throw new CliUsageError(`${flagOf(e.option)} ${e.requirement}, got ${typeof text === 'string' ? `"${text}"` : String(e.value)}`);
  }
}

/**
 * `--save-uncertainty` needs a method that gives an uncertainty map. Checked when the options are
 * parsed, and again once the prior is known (`'auto'` is the contraction for a prior without a
 * Gaussian face model).
 */
export function checkUncertainty(saveUncertainty: boolean, resolved: ResolvedPhotoOptions): boolean {
  if (!saveUncertainty) return false;
  const { method, samples } = resolved.restore.run;
  if (method === 'gaussian' || (method === 'posterior' && samples > 1)) return true;
  throw new CliUsageError(
    `--save-uncertainty needs --method gaussian, or --method posterior with --samples 2 or more (the diffusion contraction gives no uncertainty map${method === 'diffusion' ? '; --method auto is the contraction for a model without a Gaussian face model' : ''})`,
  );
}

/**
 * Parse the options of `difbfsr restore`: strings to numbers here, their ranges checked by
 * `@difbfsr/core` (`resolvePhotoOptions`).
 * @throws CliUsageError naming the flag and what it takes.
 */
export function parseRestoreOptions(raw: RawRestoreOptions): RestoreCommandOptions {
  if (/[/\\]/.test(raw.suffix)) throw new CliUsageError(`--suffix must not contain a path separator, got "${raw.suffix}"`);
  if (raw.output.trim() === '') throw new CliUsageError('--output must name a folder');
  const photo = photoOptionsOf(raw);
  const resolved = checked(photo, raw);
  return {
    output: raw.output,
    format: formatOf(raw.ext),
    suffix: raw.suffix,
    ...(raw.json === undefined ? {} : { json: raw.json === '-' ? {} : { file: raw.json } }),
    saveFaces: raw.saveFaces === true,
    saveUncertainty: checkUncertainty(raw.saveUncertainty === true, resolved),
    model: raw.model,
    device: deviceOf(raw.device, raw.backend),
    ...(raw.faceTemplate === undefined ? {} : { faceTemplate: raw.faceTemplate }),
    photo,
    resolved,
  };
}
