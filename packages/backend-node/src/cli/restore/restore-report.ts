import type { FaceReport as PhotoFaceReport } from '@difbfsr/core';
import type { UnmatchedInput } from './input-files.js';

/**
 * One face of an image: `restorePhoto()`'s report (box, score and landmarks in input pixels after
 * EXIF orientation; `skipped` and why, or the output region and the restore's `RestoreInfo`: seed,
 * steps, prior, backend, time, ...), and the `--save-faces` crops.
 */
export interface FaceReport extends PhotoFaceReport {
  crops?: { input: string; restored: string };
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

/** The `--json` report of `difbfsr restore`. */
export interface RestoreReport {
  version: 1;
  /** The settings every image was restored with. */
  settings: {
    /** `--model`: the checkpoint file or `bundled`. */
    model: string;
    /** `--backend`: what runs the prior (`auto`, `tfjs`, `onnx`). */
    backend: string;
    /** `--device`: where ONNX Runtime runs the prior (`auto`, `cpu`, `cuda`); the faces' `restore.prior` names the provider that ran. */
    device: string;
    /** `--face-template` (`ffhq` or the JSON file), `prior` for the prior's or its preset's own, null when none was needed or known. */
    faceTemplate: string | null;
    /** The tfjs backend that ran the rest (`wasm`, `cpu`, `tensorflow`). */
    tfjsBackend: string;
    /** WASM threads, when WASM runs. */
    threads: number | null;
    seed: number | null;
    steps: number | null;
    strength: number | null;
    warmupIters: number | null;
    scale: number | null;
    /** True when the inputs were taken as aligned face crops (no detection). */
    aligned: boolean;
    onlyCenterFace: boolean;
    maxFaces: number | null;
    minFaceSize: number | null;
    maxFaceSize: number | null;
    /** `--max-pixels`: the most pixels of an input and of its output. */
    maxPixels: number;
  };
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
