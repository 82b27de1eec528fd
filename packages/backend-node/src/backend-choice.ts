import type { BackendFailure as CommonBackendFailure } from '@difbfsr/backend-common';

/** Backends `init()` can activate, in the default order of preference. */
export const NODE_BACKENDS = ['tensorflow-gpu', 'tensorflow', 'wasm', 'cpu'] as const;

/**
 * - `tensorflow-gpu`: `@tensorflow/tfjs-node-gpu` (optional peer dependency, CUDA);
 * - `tensorflow`: `@tensorflow/tfjs-node` (optional peer dependency, native TensorFlow);
 * - `wasm`: `@tensorflow/tfjs-backend-wasm` with XNNPACK, SIMD and worker threads;
 * - `cpu`: `@tensorflow/tfjs-backend-cpu`, plain JavaScript (slowest).
 */
export type NodeBackendName = (typeof NODE_BACKENDS)[number];

/** A preferred backend that could not be activated, and why. */
export type BackendFailure = CommonBackendFailure<NodeBackendName>;

/** What `init()` activated. */
export interface ActiveBackend {
  /** The backend that was activated. */
  name: NodeBackendName;
  /** tfjs' name of the active backend (`tf.getBackend()`): 'tensorflow', 'wasm' or 'cpu'. */
  tfBackend: string;
  /** Threads the backend computes with; null when native TensorFlow chooses. */
  threads: number | null;
  /** Whether the WASM SIMD binary runs; null for the other backends. */
  simd: boolean | null;
  /** Backends tried before this one, in order, with why each failed. */
  skipped: BackendFailure[];
}
