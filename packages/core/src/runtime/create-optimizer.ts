import { DifbfsrError } from '../errors.js';
import type { ContractionOptimizer, ContractionOptimizerFactory, ContractionProblem } from '../restore/contraction-optimizer.js';
import { checkRuntimeChoice, isUnavailable, runtimePart, runtimesWith, type RuntimeChoice } from './runtime-registry.js';

/** What runs the per-image SRM/CFM optimisation: a runtime by name, `'auto'`, or your own factory. */
export type OptimizerChoice = RuntimeChoice | ContractionOptimizerFactory;

/** The optimiser that ran, and why the runtimes before it did not, if any was stepped over. */
export interface ChosenOptimizer {
  optimizer: ContractionOptimizer;
  fallback?: string;
}

/**
 * The optimiser a restore asks for: its `optimizer` option, else its `backend`, else `'auto'`.
 * @throws DifbfsrError `INVALID_OPTION` for an unknown name.
 */
export function optimizerChoiceOf(optimizer: unknown, backend: unknown): OptimizerChoice {
  if (optimizer === undefined) return checkRuntimeChoice('backend', backend ?? 'auto');
  if (typeof optimizer === 'function') return optimizer as ContractionOptimizerFactory;
  return checkRuntimeChoice('optimizer', optimizer);
}

/**
 * Create the optimiser of one image. A runtime that says it cannot run the problem (a filter
 * without a linear-operator description, for ONNX Runtime) hands it on to the next one by priority,
 * also when it was asked for by name; with `'auto'`, so does one that cannot start here (a
 * `BACKEND` error). The reasons come back as `fallback`.
 * @throws DifbfsrError `BACKEND` when the runtime named is not registered or cannot start, and
 *   what a runtime's factory throws otherwise.
 */
export async function createContractionOptimizer(choice: OptimizerChoice, problem: ContractionProblem): Promise<ChosenOptimizer> {
  if (typeof choice === 'function') return { optimizer: await choice(problem) };
  if (choice !== 'auto') runtimePart(choice, 'optimizer', 'optimizer');
  const order = choice === 'auto' ? runtimesWith('optimizer') : [choice, ...runtimesWith('optimizer').filter((n) => n !== choice)];
  const skipped: string[] = [];
  for (const name of order) {
    const factory = runtimePart(name, 'optimizer', 'optimizer');
    const cannot = factory.cannotRun?.(problem);
    if (cannot) {
      skipped.push(`${name} cannot run it (${cannot})`);
      continue;
    }
    try {
      const optimizer = await factory.create(problem);
      return skipped.length > 0 ? { optimizer, fallback: `${skipped.join('; ')}, so the SRM/CFM optimisation ran on ${name}` } : { optimizer };
    } catch (err) {
      if (!(choice === 'auto' && isUnavailable(err))) throw err;
      skipped.push(`${name} could not start (${err.message})`);
    }
  }
  throw new DifbfsrError('BACKEND', `No runtime could run the SRM/CFM optimisation: ${skipped.join('; ') || 'none is registered'}`);
}
