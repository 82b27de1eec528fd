import { DifbfsrError } from '@difbfsr/core';
import type * as OrtNode from 'onnxruntime-node';

/** The onnxruntime API (`onnxruntime-node` and `onnxruntime-web` export the same one). */
export type OnnxRuntime = typeof OrtNode;

/** Which onnxruntime package runs the model: native (`node`) or WebAssembly/WebGPU (`web`). */
export type OnnxRuntimeKind = 'node' | 'web';

/** A loaded onnxruntime and which package it is. */
export interface LoadedRuntime {
  ort: OnnxRuntime;
  kind: OnnxRuntimeKind;
}

/** True in Node.js (and not in a browser or worker). */
export function isNodeRuntime(): boolean {
  const g = globalThis as { process?: { versions?: { node?: string } }; window?: unknown };
  return typeof g.process?.versions?.node === 'string' && g.window === undefined;
}

const INSTALL_HINT: Record<OnnxRuntimeKind, string> = {
  node: 'install it with `npm install onnxruntime-node` (see the @difbfsr/onnx README for the optional CUDA download)',
  web: 'install it with `npm install onnxruntime-web`',
};

/**
 * Import onnxruntime: `onnxruntime-node` in Node.js, `onnxruntime-web` elsewhere (or the kind
 * asked for).
 * @throws DifbfsrError `BACKEND` naming the missing package and how to install it.
 */
export async function loadOnnxRuntime(kind: OnnxRuntimeKind = isNodeRuntime() ? 'node' : 'web'): Promise<LoadedRuntime> {
  try {
    const mod = (kind === 'node' ? await import('onnxruntime-node') : await import('onnxruntime-web')) as OnnxRuntime & { default?: OnnxRuntime };
    const ort = typeof mod.InferenceSession === 'function' ? mod : mod.default;
    if (!ort || typeof ort.InferenceSession !== 'function') throw new DifbfsrError('BACKEND', 'the module does not export InferenceSession');
    return { ort, kind };
  } catch (err) {
    throw new DifbfsrError(
      'BACKEND',
      `onnxruntime-${kind} cannot be loaded (${(err as Error)?.message ?? String(err)}): ${INSTALL_HINT[kind]}, or use the tfjs denoiser (backend: 'tfjs')`,
      { cause: err },
    );
  }
}
