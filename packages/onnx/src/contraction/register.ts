import { setOnnxContractionOptimizer } from '@difbfsr/core';
import type { OnnxContractionOptions } from './contraction-runner.js';
import { OnnxContractionOptimizer } from './onnx-contraction-optimizer.js';

/**
 * Make ONNX Runtime the optimiser that `restore()` runs for `optimizer`/`backend` `'onnx'` and
 * `'auto'` (done with default options when this package is imported; call again to change them).
 */
export function registerOnnxContractionOptimizer(options: OnnxContractionOptions = {}): void {
  setOnnxContractionOptimizer((problem) => OnnxContractionOptimizer.create(problem, options));
}
