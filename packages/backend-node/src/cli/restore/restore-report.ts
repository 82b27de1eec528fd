import type { UnmatchedInput } from './input-files.js';

/** A face box in the input image's pixels (after EXIF orientation). */
export interface FaceBox {
  x: number;
  y: number;
  width: number;
  height: number;
}

/** One restored face. */
export interface FaceReport {
  box: FaceBox;
  /** Detector confidence, when a detector found the face. */
  score?: number;
  /** Seed of the face's restore. */
  seed: number;
  /** Network calls made. */
  steps: number;
  /** Name of the prior that ran. */
  prior: string;
  /** True when the diffusion result was rejected as a collapse and the SRM output kept. */
  collapsed: boolean;
  /** LR-consistency RMSE of the result ([-1, 1] units, after the LR low-pass). */
  lrRmse: number;
  timeMs: number;
  /** The `--save-faces` crops. */
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
  outputWidth?: number;
  outputHeight?: number;
  faces: FaceReport[];
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
    /** The tfjs backend that ran the rest (`wasm`, `cpu`, `tensorflow`). */
    tfjsBackend: string;
    /** WASM threads, when WASM runs. */
    threads: number | null;
    seed: number | null;
    steps: number | null;
    strength: number | null;
    scale: number | null;
    /** True when the inputs were taken as aligned face crops (no detection). */
    aligned: boolean;
  };
  images: ImageReport[];
  /** Command arguments that named no image. */
  unmatched: UnmatchedInput[];
  summary: { restored: number; failed: number; interrupted: number; notStarted: number; unmatched: number; faces: number };
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
    faces: images.reduce((n, i) => n + i.faces.length, 0),
  };
}
