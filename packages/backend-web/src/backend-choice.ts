import type { BackendFailure as CommonBackendFailure } from '@difbfsr/backend-common';

/** Backends `init()` can activate in a browser, in the default order of preference. */
export const WEB_BACKENDS = ['wasm', 'cpu'] as const;

/**
 * - `wasm`: `@tensorflow/tfjs-backend-wasm` with XNNPACK and SIMD, and worker
 *   threads when the page is cross-origin isolated;
 * - `cpu`: `@tensorflow/tfjs-backend-cpu`, plain JavaScript (slowest).
 */
export type WebBackendName = (typeof WEB_BACKENDS)[number];

/** A preferred backend that could not be activated, and why. */
export type BackendFailure = CommonBackendFailure<WebBackendName>;

/** What `init()` activated. */
export interface ActiveBackend {
  /** The backend that was activated. */
  name: WebBackendName;
  /** tfjs' name of the active backend (`tf.getBackend()`). */
  tfBackend: string;
  /** Threads the backend computes with (1 unless the page is cross-origin isolated). */
  threads: number;
  /** Whether the WASM SIMD binary runs; null for the cpu backend. */
  simd: boolean | null;
  /** Whether the page is cross-origin isolated, which WASM threads need. */
  crossOriginIsolated: boolean;
  /** Backends tried before this one, in order, with why each failed. */
  skipped: BackendFailure[];
}
