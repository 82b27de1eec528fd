import { DEFAULT_MAX_PIXELS, type RuntimeChoice } from '@difbfsr/core';
import { CliUsageError } from '../exit-status.js';
import { OUTPUT_FORMATS, type OutputFormat } from './output-paths.js';

/** The options of `difbfsr restore` as commander hands them over (strings, unchecked). */
export interface RawRestoreOptions {
  output: string;
  ext?: string;
  suffix: string;
  json?: string;
  saveFaces?: boolean;
  seed?: string;
  steps?: string;
  strength?: string;
  warmupIters?: string;
  scale?: string;
  model?: string;
  backend: string;
  device?: string;
  faceTemplate?: string;
  aligned?: boolean;
  onlyCenterFace?: boolean;
  maxFaces?: string;
  minFaceSize?: string;
  maxFaceSize?: string;
  maxPixels?: string;
}

/** Checked options of `difbfsr restore`; numbers left undefined take `restore()`'s defaults. */
export interface RestoreCommandOptions {
  /** Output folder. */
  output: string;
  /** Output format; undefined: the input's. */
  format?: OutputFormat;
  suffix: string;
  /** Write the JSON report: to `file`, or to stdout when `file` is undefined (`--json -`). */
  json?: { file?: string };
  saveFaces: boolean;
  seed?: number;
  steps?: number;
  strength?: number;
  /** SRM warm-up iterations before the chain (restore()'s `warmupIters`). */
  warmupIters?: number;
  scale?: number;
  /** `--model`: a checkpoint file, a preset name or `bundled`. */
  model?: string;
  backend: RuntimeChoice;
  /** Where ONNX Runtime runs the prior: `cuda` (or fail), `cpu`, or `auto` (CUDA when installed). */
  device: Device;
  /** `--face-template`: `ffhq` or a JSON file; undefined: the prior's (its preset's) own. */
  faceTemplate?: string;
  /** The inputs are aligned face crops: no detection. */
  aligned: boolean;
  onlyCenterFace: boolean;
  maxFaces?: number;
  /** Smallest face restored (longer box side, input pixels). */
  minFaceSize?: number;
  /** Largest face restored (longer box side, input pixels). */
  maxFaceSize?: number;
  /** The most pixels of an input and of its output (`restorePhoto()`'s `maxPixels`). */
  maxPixels: number;
}

const BACKENDS: readonly RuntimeChoice[] = ['auto', 'tfjs', 'onnx'];

/** `--device` values (`@difbfsr/onnx`'s `OnnxDevice`, named here so the CLI builds without that package). */
export const DEVICES = ['auto', 'cpu', 'cuda'] as const;
export type Device = (typeof DEVICES)[number];

function deviceOf(text: string | undefined, backend: string): Device {
  if (text === undefined) return 'auto';
  if (!(DEVICES as readonly string[]).includes(text)) throw new CliUsageError(`--device must be one of ${DEVICES.join(', ')}, got "${text}"`);
  if (text === 'cuda' && backend === 'tfjs') throw new CliUsageError('--device cuda runs the prior on ONNX Runtime: use --backend onnx or auto, not tfjs');
  return text as Device;
}

function integer(flag: string, text: string | undefined, min: number): number | undefined {
  if (text === undefined) return undefined;
  const v = Number(text);
  if (text.trim() === '' || !Number.isInteger(v) || v < min) throw new CliUsageError(`${flag} must be an integer >= ${min}, got "${text}"`);
  return v;
}

function strengthOf(text: string | undefined): number | undefined {
  if (text === undefined) return undefined;
  const v = Number(text);
  if (text.trim() === '' || !(v > 0 && v <= 1)) throw new CliUsageError(`--strength must be a number in (0, 1], got "${text}"`);
  return v;
}

function positiveNumber(flag: string, text: string | undefined): number | undefined {
  if (text === undefined) return undefined;
  const v = Number(text);
  if (text.trim() === '' || !(Number.isFinite(v) && v > 0)) throw new CliUsageError(`${flag} must be a positive number, got "${text}"`);
  return v;
}

function scaleOf(text: string | undefined): number | undefined {
  const v = integer('--scale', text, 2);
  if (v !== undefined && !Number.isInteger(Math.log2(v))) throw new CliUsageError(`--scale must be a power of two (2, 4, 8, ...), got "${text}"`);
  return v;
}

function formatOf(text: string | undefined): OutputFormat | undefined {
  if (text === undefined) return undefined;
  const ext = text.toLowerCase().replace(/^\./, '');
  const format = ext === 'jpeg' ? 'jpg' : ext;
  if (!(OUTPUT_FORMATS as readonly string[]).includes(format)) throw new CliUsageError(`--ext must be one of ${OUTPUT_FORMATS.join(', ')}, got "${text}"`);
  return format as OutputFormat;
}

/**
 * Check the options of `difbfsr restore`.
 * @throws CliUsageError naming the option and the accepted values.
 */
export function parseRestoreOptions(raw: RawRestoreOptions): RestoreCommandOptions {
  if (/[/\\]/.test(raw.suffix)) throw new CliUsageError(`--suffix must not contain a path separator, got "${raw.suffix}"`);
  if (raw.output.trim() === '') throw new CliUsageError('--output must name a folder');
  if (!(BACKENDS as readonly string[]).includes(raw.backend)) {
    throw new CliUsageError(`--backend must be one of ${BACKENDS.join(', ')}, got "${raw.backend}"`);
  }
  return {
    output: raw.output,
    format: formatOf(raw.ext),
    suffix: raw.suffix,
    ...(raw.json === undefined ? {} : { json: raw.json === '-' ? {} : { file: raw.json } }),
    saveFaces: raw.saveFaces === true,
    seed: integer('--seed', raw.seed, 0),
    steps: integer('--steps', raw.steps, 1),
    strength: strengthOf(raw.strength),
    warmupIters: integer('--warmup-iters', raw.warmupIters, 0),
    scale: scaleOf(raw.scale),
    model: raw.model,
    backend: raw.backend as RuntimeChoice,
    device: deviceOf(raw.device, raw.backend),
    ...(raw.faceTemplate === undefined ? {} : { faceTemplate: raw.faceTemplate }),
    aligned: raw.aligned === true,
    onlyCenterFace: raw.onlyCenterFace === true,
    maxFaces: integer('--max-faces', raw.maxFaces, 1),
    minFaceSize: positiveNumber('--min-face-size', raw.minFaceSize),
    maxFaceSize: positiveNumber('--max-face-size', raw.maxFaceSize),
    maxPixels: integer('--max-pixels', raw.maxPixels, 1) ?? DEFAULT_MAX_PIXELS,
  };
}
