import { DifbfsrError } from '../errors.js';
import type { ContractionOptimizer, ContractionOptimizerFactory, ContractionProblem } from './contraction-optimizer.js';
import { TfjsContractionOptimizer } from './tfjs-contraction-optimizer.js';

/**
 * What runs the per-image SRM/CFM optimisation: tfjs autodiff (`'tfjs'`), ONNX Runtime
 * (`'onnx'`, registered by `@difbfsr/onnx` when it is imported), ONNX Runtime when it is
 * registered and loads, else tfjs (`'auto'`), or your own factory.
 */
export type OptimizerChoice = 'auto' | 'tfjs' | 'onnx' | ContractionOptimizerFactory;

const NAMES = ['auto', 'tfjs', 'onnx'] as const;

let onnxFactory: ContractionOptimizerFactory | undefined;

/**
 * Register the ONNX Runtime optimiser that `'onnx'` and `'auto'` use (`@difbfsr/onnx` does this
 * when imported); `undefined` removes it.
 */
export function setOnnxContractionOptimizer(factory: ContractionOptimizerFactory | undefined): void {
  onnxFactory = factory;
}

/**
 * The optimiser a restore asks for: its `optimizer` option, else its `backend`, else `'auto'`.
 * @throws DifbfsrError `INVALID_OPTION` for an unknown name.
 */
export function optimizerChoiceOf(optimizer: unknown, backend: unknown): OptimizerChoice {
  if (optimizer === undefined) {
    if (backend === undefined || (NAMES as readonly unknown[]).includes(backend)) return (backend ?? 'auto') as OptimizerChoice;
    throw new DifbfsrError('INVALID_OPTION', `backend must be one of ${NAMES.join(', ')}, got ${JSON.stringify(backend)}`);
  }
  if (typeof optimizer === 'function' || (NAMES as readonly unknown[]).includes(optimizer)) return optimizer as OptimizerChoice;
  throw new DifbfsrError('INVALID_OPTION', `optimizer must be one of ${NAMES.join(', ')} or a factory function, got ${JSON.stringify(optimizer)}`);
}

/** Names of the problem's filters that another runtime cannot run (no `separable` operator). */
function filtersWithoutOperator(p: ContractionProblem): string[] {
  return [p.lrLowPass, p.lowPass].filter((f) => typeof f.separable !== 'function').map((f) => JSON.stringify(f.name));
}

/** The optimiser that ran, and why the ONNX Runtime one asked for did not, if it did not. */
export interface ChosenOptimizer {
  optimizer: ContractionOptimizer;
  fallback?: string;
}

/**
 * Create the optimiser of one image. `'onnx'` and `'auto'` fall back to tfjs (saying why) when a
 * filter has no linear-operator description; `'auto'` also when ONNX Runtime is not registered
 * or cannot be loaded (a `BACKEND` error of its factory).
 * @throws DifbfsrError `BACKEND` for `'onnx'` when `@difbfsr/onnx` has not been imported, or
 *   what its factory throws.
 */
export async function createContractionOptimizer(choice: OptimizerChoice, problem: ContractionProblem): Promise<ChosenOptimizer> {
  if (typeof choice === 'function') return { optimizer: await choice(problem) };
  const tfjs = (fallback?: string): ChosenOptimizer => ({ optimizer: new TfjsContractionOptimizer(problem), ...(fallback ? { fallback } : {}) });
  if (choice === 'tfjs') return tfjs();
  if (!onnxFactory) {
    if (choice === 'auto') return tfjs();
    throw new DifbfsrError('BACKEND', "optimizer 'onnx' needs the optional package @difbfsr/onnx: import it (and install onnxruntime-node or onnxruntime-web)");
  }
  const missing = filtersWithoutOperator(problem);
  if (missing.length > 0) {
    return tfjs(`the low-pass ${missing.join(' and ')} has no linear operator (LowPass.separable), so the SRM/CFM optimisation ran on tfjs`);
  }
  try {
    return { optimizer: await onnxFactory(problem) };
  } catch (err) {
    // 'auto' steps aside when the runtime cannot be loaded, not for the errors of one that did.
    if (choice === 'onnx' || !(err instanceof DifbfsrError && err.code === 'BACKEND')) throw err;
    return tfjs(`ONNX Runtime could not start (${err.message}), so the SRM/CFM optimisation ran on tfjs`);
  }
}
