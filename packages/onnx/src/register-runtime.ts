import { registerRuntime, type ContractionProblem, type DenoiserFactory, type OptimizerFactory } from '@difbfsr/core';
import { unetSpecOf } from '@difbfsr/models';
import type { OnnxContractionOptions } from './contraction/contraction-runner.js';
import { OnnxContractionOptimizer } from './contraction/onnx-contraction-optimizer.js';
import { OnnxDenoiser, type OnnxDenoiserOptions } from './onnx-denoiser.js';

/** `'auto'` tries ONNX Runtime before tfjs (priority 0). */
export const ONNX_RUNTIME_PRIORITY = 10;

/** Options of {@link registerOnnxRuntime}. */
export interface OnnxRuntimeOptions {
  /** How the runtime's denoisers are built (threads, weights, fp16, ...); `device` comes with each request. */
  denoiser?: Omit<OnnxDenoiserOptions, 'device' | 'name' | 'networkName'>;
  /** How the SRM/CFM optimiser runs. */
  optimizer?: OnnxContractionOptions;
}

/** Names of the problem's filters that ONNX Runtime cannot run: those without a linear operator (`LowPass.separable`). */
function filtersWithoutOperator(p: ContractionProblem): string | undefined {
  const missing = [p.lrLowPass, p.lowPass].filter((f) => typeof f.separable !== 'function').map((f) => JSON.stringify(f.name));
  return missing.length > 0 ? `the low-pass ${missing.join(' and ')} has no linear operator (LowPass.separable)` : undefined;
}

function onnxDenoiser(options: OnnxRuntimeOptions['denoiser']): DenoiserFactory {
  return {
    devices: ['auto', 'cpu', 'cuda'],
    create(spec, { device }) {
      const { config, weights, name } = unetSpecOf(spec);
      return OnnxDenoiser.create(config, weights, { ...options, ...(device === 'auto' ? {} : { device }), ...(name === undefined ? {} : { networkName: name }) });
    },
  };
}

function onnxOptimizer(options: OnnxContractionOptions | undefined): OptimizerFactory {
  return { cannotRun: filtersWithoutOperator, create: (problem) => OnnxContractionOptimizer.create(problem, options) };
}

/**
 * Register ONNX Runtime as runtime `'onnx'` of `@difbfsr/core`: its U-Net denoiser (CPU, CUDA when
 * installed, WebGPU/WASM in browsers) and its SRM/CFM optimiser. Done with default options when
 * this package is imported; call again to change them.
 */
export function registerOnnxRuntime(options: OnnxRuntimeOptions = {}): void {
  registerRuntime('onnx', { denoiser: onnxDenoiser(options.denoiser), optimizer: onnxOptimizer(options.optimizer) }, ONNX_RUNTIME_PRIORITY);
}
