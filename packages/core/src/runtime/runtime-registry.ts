import type { Denoiser } from '../denoiser.js';
import { DifbfsrError, InvalidOptionError } from '../errors.js';
import type { ContractionOptimizer, ContractionProblem } from '../restore/contraction-optimizer.js';
import { TfjsContractionOptimizer } from '../restore/tfjs-contraction-optimizer.js';

/** A runtime's name: `'tfjs'` (built in, and `@difbfsr/models` for its U-Net), `'onnx'` (`@difbfsr/onnx`), or one you register. */
export type RuntimeName = 'tfjs' | 'onnx' | (string & {});

/** Which runtime runs something: one by name, or `'auto'`: every registered one by priority, the first that starts. */
export type RuntimeChoice = 'auto' | RuntimeName;

/** Where a runtime runs a network: `'cuda'` (a GPU, or fail), `'cpu'`, or `'auto'` (the runtime's choice). */
export type RuntimeDevice = 'auto' | 'cpu' | 'cuda';

/**
 * A diffusion network as its model package describes it: the architecture and the weights (for
 * `@difbfsr/models`, a guided-diffusion `UNetConfig` and a `StateDict`), and a name for reports.
 */
export interface NetworkSpec<Config extends object = object, Weights extends object = object> {
  readonly config: Config;
  readonly weights: Weights;
  /** Reported as `<name>(<runtime>...)` in `RestoreInfo.prior`; without it the runtime's own name for the network. */
  readonly name?: string;
}

/** The part of a runtime that builds denoisers from networks. */
export interface DenoiserFactory {
  /** The devices it runs on (`'auto'` among them). */
  readonly devices: readonly RuntimeDevice[];
  /**
   * Build the network's denoiser on `device`.
   * @throws DifbfsrError `BACKEND` when the runtime cannot start here (`'auto'` then tries the next one).
   */
  create(spec: NetworkSpec, options: { device: RuntimeDevice }): Denoiser | Promise<Denoiser>;
}

/** The part of a runtime that runs the per-image SRM/CFM optimisation. */
export interface OptimizerFactory {
  /** Why this runtime cannot run `problem` (undefined: it can); the next runtime then runs it, and `RestoreInfo.optimizerFallback` says why. */
  cannotRun?(problem: ContractionProblem): string | undefined;
  /**
   * Create the optimiser of one image.
   * @throws DifbfsrError `BACKEND` when the runtime cannot start here (`'auto'` then tries the next one).
   */
  create(problem: ContractionProblem): ContractionOptimizer | Promise<ContractionOptimizer>;
}

/** What a runtime can do; it may be registered in parts, by different packages, under one name. */
export interface RuntimeParts {
  denoiser?: DenoiserFactory;
  optimizer?: OptimizerFactory;
}

/** A part of a runtime. */
export type RuntimePart = keyof RuntimeParts;

interface Runtime extends RuntimeParts {
  priority: number;
}

/** The package that registers each part of the runtimes this project ships, for the error that asks for it. */
const PROVIDERS: Record<string, Partial<Record<RuntimePart, string>>> = {
  tfjs: { denoiser: '@difbfsr/models' },
  onnx: { denoiser: '@difbfsr/onnx (and install onnxruntime-node or onnxruntime-web)', optimizer: '@difbfsr/onnx (and install onnxruntime-node or onnxruntime-web)' },
};

/** The tfjs optimiser, built in: autodiff on the active tfjs backend runs every problem. */
const TFJS_OPTIMIZER: OptimizerFactory = { create: (problem) => new TfjsContractionOptimizer(problem) };

const runtimes = new Map<string, Runtime>([['tfjs', { priority: 0, optimizer: TFJS_OPTIMIZER }]]);

/**
 * Register a runtime, or more parts of one (onnxruntime-common's `registerBackend`): `'auto'` tries
 * the runtimes by `priority`, highest first (the built-in tfjs has 0). Parts given replace those of
 * the same kind; a priority given replaces the runtime's.
 * @throws DifbfsrError `INVALID_OPTION` for the name `'auto'` or an empty one.
 */
export function registerRuntime(name: RuntimeName, parts: RuntimeParts, priority?: number): void {
  if (name === 'auto' || typeof name !== 'string' || name === '') throw new DifbfsrError('INVALID_OPTION', `A runtime needs a name other than 'auto', got ${JSON.stringify(name)}`);
  const known = runtimes.get(name);
  runtimes.set(name, { ...known, ...parts, priority: priority ?? known?.priority ?? 0 });
}

/** Remove a part of a runtime, or all of it (the built-in tfjs optimiser included). */
export function unregisterRuntime(name: RuntimeName, part?: RuntimePart): void {
  const known = runtimes.get(name);
  if (!known || part === undefined) {
    runtimes.delete(name);
    return;
  }
  const { [part]: _removed, ...rest } = known;
  runtimes.set(name, rest);
}

/** The names of the registered runtimes that have `part`, highest priority first. */
export function runtimesWith(part: RuntimePart): RuntimeName[] {
  return [...runtimes.entries()]
    .filter(([, r]) => r[part] !== undefined)
    .sort((a, b) => b[1].priority - a[1].priority)
    .map(([name]) => name);
}

/**
 * A runtime's part.
 * @throws DifbfsrError `BACKEND` when it is not registered, naming the package that registers it.
 */
export function runtimePart<P extends RuntimePart>(name: RuntimeName, part: P, option: string): NonNullable<RuntimeParts[P]> {
  const found = runtimes.get(name)?.[part];
  if (found) return found;
  const provider = PROVIDERS[name]?.[part];
  const hint = provider ? `: import ${provider}` : ': register it with registerRuntime()';
  throw new DifbfsrError('BACKEND', `${option} '${name}' needs a ${part === 'denoiser' ? 'denoiser' : 'SRM/CFM optimiser'} of runtime '${name}', which is not registered${hint}`);
}

/**
 * `value`, checked to name `'auto'`, a registered runtime or one this project ships.
 * @throws InvalidOptionError naming `option` and the names it takes.
 */
export function checkRuntimeChoice(option: string, value: unknown): RuntimeChoice {
  const names = ['auto', ...new Set([...Object.keys(PROVIDERS), ...runtimes.keys()])];
  if (typeof value === 'string' && names.includes(value)) return value;
  throw new InvalidOptionError(option, `must be one of ${names.join(', ')}`, value);
}

/** True for the error of a runtime that cannot start here, which `'auto'` steps over. */
export function isUnavailable(err: unknown): err is DifbfsrError {
  return err instanceof DifbfsrError && err.code === 'BACKEND';
}
