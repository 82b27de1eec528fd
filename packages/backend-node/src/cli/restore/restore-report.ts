import type { FaceReport as PhotoFaceReport, ResolvedPhotoOptions } from '@difbfsr/core';
import type { UnmatchedInput } from './input-files.js';
import type { RestoreCommandOptions } from './restore-options.js';

/**
 * One face of an image: `restorePhoto()`'s report (box, score and landmarks in input pixels after
 * EXIF orientation; `skipped` and why, or the output region and the restore's `RestoreInfo`:
 * method, samples and fidelity, the degradation used (estimated or given), seed, steps, prior,
 * backend, time, ...), the `--save-faces` crops and the `--save-uncertainty` heat map.
 */
export interface FaceReport extends PhotoFaceReport {
  crops?: { input: string; restored: string };
  uncertainty?: string;
}

/** What happened to one input file. */
export interface ImageReport {
  input: string;
  /**
   * `restored`: the output was written; `failed`: see `error`; `interrupted`: Ctrl-C stopped it;
   * `not-started`: Ctrl-C came before it.
   */
  status: 'restored' | 'failed' | 'interrupted' | 'not-started';
  output?: string;
  error?: { code: string; message: string };
  /** The decoded input: size after EXIF orientation, channels, file format and bit depth, orientation applied. */
  width?: number;
  height?: number;
  channels?: number;
  format?: string;
  bitDepth?: number;
  orientation?: number;
  /** Frames or pages in the file, when more than one (only the first is restored). */
  frames?: number;
  outputWidth?: number;
  outputHeight?: number;
  /** The face detector that ran (absent for `--aligned`). */
  detector?: string;
  /** Every face found, restored or skipped. */
  faces: FaceReport[];
  /** What the user should know about a restored image: frames left out, a face far below the prior's input size. */
  warnings?: string[];
  timeMs: number;
}

/** The settings of a `difbfsr restore` run, as its report shows them. */
export interface RestoreSettings {
  /** `--model`: the checkpoint file or `bundled`. */
  model: string;
  /** `--backend`: the runtime asked for (`auto`, `tfjs`, `onnx`); the faces' `restore.prior` and `restore.optimizer` name what ran. */
  backend: string;
  /** `--device`: where ONNX Runtime runs the prior (`auto`, `cpu`, `cuda`). */
  device: string;
  /** `--face-template` (`ffhq` or the JSON file), `prior` for the prior's or its preset's own, null when none was needed or known. */
  faceTemplate: string | null;
  /** The tfjs backend that ran the rest (`wasm`, `cpu`, `tensorflow`). */
  tfjsBackend: string;
  /** WASM threads, when WASM runs. */
  threads: number | null;
  /**
   * glibc's malloc setting the run had: `default`, or the variables that set it (`difbfsr restore`
   * sets `GLIBC_TUNABLES` itself on glibc: see `malloc-setting.ts`).
   */
  malloc: string;
  method: string;
  /** `--method posterior`'s samples and their blend (absent for the other methods). */
  samples?: number;
  fidelity?: number;
  /** `--blur`, `--noise`, `--chroma`, or `estimated` (each face's `restore.degradation` holds the estimate). */
  degradation: { blur: number; noise: number; chroma?: number } | 'estimated';
  seed: number;
  steps: number;
  strength: number;
  warmupIters: number;
  scale: number;
  /** True when the inputs were taken as aligned face crops (no detection). */
  aligned: boolean;
  onlyCenterFace: boolean;
  /** null: all. */
  maxFaces: number | null;
  /** null: the prior's default (three quarters of its input side). */
  minFaceSize: number | null;
  /** null: the prior's resolution. */
  maxFaceSize: number | null;
  /** `--max-pixels`: the most pixels of an input and of its output. */
  maxPixels: number;
}

/** What ran, besides the options: the prior's source, the template, the tfjs backend. */
export interface RunContext {
  model: string;
  template: string | null;
  tfjsBackend: string;
  threads: number | null;
  malloc: string;
}

/** The report's settings: the options as `@difbfsr/core` resolved them with the prior that ran, and what ran. */
export function reportSettings(options: RestoreCommandOptions, resolved: ResolvedPhotoOptions, ran: RunContext): RestoreSettings {
  const { photo, restore } = resolved;
  const { run, chain, optimisation, call } = restore;
  return {
    model: ran.model,
    backend: run.backend,
    device: options.device,
    faceTemplate: ran.template,
    tfjsBackend: ran.tfjsBackend,
    threads: ran.threads,
    malloc: ran.malloc,
    method: run.method,
    ...(run.method === 'posterior' ? { samples: run.samples, fidelity: run.fidelity } : {}),
    degradation: run.degradation ?? 'estimated',
    seed: call.seed,
    steps: chain.steps,
    strength: chain.strength,
    warmupIters: optimisation.warmupIters,
    scale: chain.scale,
    aligned: photo.aligned,
    onlyCenterFace: photo.onlyCenterFace,
    maxFaces: Number.isFinite(photo.maxFaces) ? photo.maxFaces : null,
    minFaceSize: photo.minFaceSize ?? null,
    maxFaceSize: photo.maxFaceSize ?? null,
    maxPixels: photo.maxPixels,
  };
}

/** The `--json` report of `difbfsr restore`. */
export interface RestoreReport {
  version: 1;
  /** The settings every image was restored with, unset options at `@difbfsr/core`'s defaults. */
  settings: RestoreSettings;
  images: ImageReport[];
  /** Command arguments that named no image. */
  unmatched: UnmatchedInput[];
  /** Images of each status; `faces`: faces restored, `skippedFaces`: faces found but not restored. */
  summary: { restored: number; failed: number; interrupted: number; notStarted: number; unmatched: number; faces: number; skippedFaces: number };
  /** True when Ctrl-C stopped the run. */
  interrupted: boolean;
  timeMs: number;
}

/** Count the images of each status. */
export function summarise(images: readonly ImageReport[], unmatched: number): RestoreReport['summary'] {
  const count = (s: ImageReport['status']): number => images.filter((i) => i.status === s).length;
  return {
    restored: count('restored'),
    failed: count('failed'),
    interrupted: count('interrupted'),
    notStarted: count('not-started'),
    unmatched,
    faces: images.reduce((n, i) => n + i.faces.filter((f) => !f.skipped).length, 0),
    skippedFaces: images.reduce((n, i) => n + i.faces.filter((f) => f.skipped).length, 0),
  };
}
