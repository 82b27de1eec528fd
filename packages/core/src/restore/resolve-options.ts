import type { Denoiser } from '../denoiser.js';
import type { Degradation } from '../degradation/degradation-operator.js';
import { InvalidOptionError } from '../errors.js';
import { toLowPass, type LowPass } from '../filters/low-pass.js';
import type { GaussianFaceModel } from '../gaussian/gaussian-face-model.js';
import { optimizerChoiceOf, type OptimizerChoice } from '../runtime/create-optimizer.js';
import { checkRuntimeChoice, type RuntimeChoice } from '../runtime/runtime-registry.js';
import { hasDefaultGaussianModel } from '../runtime/face-model.js';
import type { Schedule } from '../schedule/diffusion-schedule.js';
import type { Ablation, CallOptions, ChainOptions, MethodOptions, OptimisationOptions, RestoreMethod, RestoreOptions } from './options.js';
import { RESTORE_DEFAULTS as D } from './restore-defaults.js';
import { nonNegativeNumber, oneOf, positiveInt, positiveNumber, powerOfTwo, unitInterval } from './validate.js';

/** {@link MethodOptions}, checked and filled in. */
export interface ResolvedMethod {
  method: RestoreMethod;
  backend: RuntimeChoice;
  optimizer: OptimizerChoice;
  prior?: Denoiser;
  gaussianModel?: GaussianFaceModel;
  /** The degradation given (checked), or undefined: estimated per input. */
  degradation?: Degradation;
  samples: number;
  fidelity: number;
  uncertainty: boolean;
}

/** {@link ChainOptions}, checked and filled in (the chain's fit to the prior and the input is checked later, see `resolveChain`). */
export interface ResolvedChain {
  scale: number;
  steps: number;
  strength: number;
  respacing?: string;
  schedule?: Schedule;
}

/** {@link OptimisationOptions}, checked and filled in, with the ablation applied. */
export interface ResolvedOptimisation {
  srm: boolean;
  cfm: boolean;
  /** The DDNM baseline: nearest `y_hat` and the fixed `A^+ A` low-pass. */
  ddnm: boolean;
  srmStart: 'bicubic' | 'dip';
  cfmKernelSize: number;
  warmupIters: number;
  adamSteps: number;
  srmLearningRate: number;
  cfmLearningRate: number;
  adamEpsilon: number;
  lowPass?: LowPass;
  lrLowPass?: LowPass;
  lrSigmaPerNoise: number;
  collapseFactor: number;
  collapseRetries: number;
}

/** {@link CallOptions}, checked and filled in. */
export interface ResolvedCall {
  seed: number;
  previewEvery: number;
  onProgress?: CallOptions['onProgress'];
  signal?: AbortSignal;
}

/** {@link RestoreOptions} checked once and grouped by kind, every default filled in from {@link RESTORE_DEFAULTS}. */
export interface ResolvedRestoreOptions {
  run: ResolvedMethod;
  chain: ResolvedChain;
  optimisation: ResolvedOptimisation;
  call: ResolvedCall;
}

const METHODS: readonly RestoreMethod[] = ['diffusion', 'posterior', 'gaussian'];

const ABLATIONS: Record<Ablation, { srm: boolean; cfm: boolean }> = {
  '#1': { srm: false, cfm: false },
  '#2': { srm: false, cfm: true },
  '#3': { srm: true, cfm: false },
  '#4': { srm: true, cfm: true },
  ddnm: { srm: false, cfm: false },
};

/** A given degradation: blur and noise finite and >= 0, chroma too if given. */
function checkDegradation(d: Degradation): Degradation {
  if (typeof d !== 'object' || d === null) throw new InvalidOptionError('degradation', 'must be an object { blur, noise, chroma? }', d);
  const blur = nonNegativeNumber('degradation.blur', d.blur);
  const noise = nonNegativeNumber('degradation.noise', d.noise);
  return { blur, noise, ...(d.chroma === undefined ? {} : { chroma: nonNegativeNumber('degradation.chroma', d.chroma) }) };
}

/** The Gaussian face model given, or the one that goes with the given prior. */
const gaussianModelOf = (o: MethodOptions): GaussianFaceModel | undefined => o.gaussianModel ?? o.prior?.gaussianModel;

/**
 * `'auto'`: the posterior sampler where a Gaussian face model goes with the prior (given, carried by
 * the prior, or the default face model's when no prior is given) and no ablation is asked for.
 */
function methodOf(o: MethodOptions & Pick<OptimisationOptions, 'ablation'>): RestoreMethod {
  const method = oneOf<RestoreMethod | 'auto'>('method', o.method ?? D.method, ['auto', ...METHODS]);
  if (method !== 'auto') return method;
  const gaussian = gaussianModelOf(o) !== undefined || (o.prior === undefined && hasDefaultGaussianModel());
  return gaussian && o.ablation === undefined ? 'posterior' : 'diffusion';
}

function resolveMethod(o: MethodOptions & Pick<OptimisationOptions, 'ablation'>): ResolvedMethod {
  const backend = checkRuntimeChoice('backend', o.backend ?? D.backend);
  return {
    method: methodOf(o),
    backend,
    optimizer: optimizerChoiceOf(o.optimizer, backend),
    ...(o.prior ? { prior: o.prior } : {}),
    ...(gaussianModelOf(o) ? { gaussianModel: gaussianModelOf(o) } : {}),
    ...(o.degradation ? { degradation: checkDegradation(o.degradation) } : {}),
    samples: positiveInt('samples', o.samples ?? D.samples),
    fidelity: unitInterval('fidelity', o.fidelity ?? D.fidelity),
    uncertainty: o.uncertainty ?? D.uncertainty,
  };
}

function resolveChainOptions(o: ChainOptions, method: RestoreMethod): ResolvedChain {
  const strength = o.strength ?? D.strength;
  if (!(typeof strength === 'number' && strength > 0 && strength <= 1)) throw new InvalidOptionError('strength', 'must be in (0, 1]', strength);
  return {
    scale: powerOfTwo('scale', o.scale ?? D.scale),
    steps: positiveInt('steps', o.steps ?? (method === 'posterior' ? D.posteriorSteps : D.steps)),
    strength,
    ...(o.respacing === undefined ? {} : { respacing: o.respacing }),
    ...(o.schedule ? { schedule: o.schedule } : {}),
  };
}

function cfmKernelSizeOf(k: unknown): number {
  if (!(typeof k === 'number' && Number.isInteger(k) && k >= 1 && k % 2 === 1)) throw new InvalidOptionError('cfmKernelSize', 'must be an odd positive integer', k);
  return k;
}

function resolveOptimisation(o: OptimisationOptions): ResolvedOptimisation {
  const ablation = o.ablation === undefined ? undefined : oneOf('ablation', o.ablation, Object.keys(ABLATIONS) as Ablation[]);
  const ddnm = ablation === 'ddnm';
  return {
    ...(ablation ? ABLATIONS[ablation] : { srm: o.srm ?? D.srm, cfm: o.cfm ?? D.cfm }),
    ddnm,
    srmStart: oneOf('srmStart', o.srmStart ?? D.srmStart, ['bicubic', 'dip']),
    cfmKernelSize: cfmKernelSizeOf(o.cfmKernelSize ?? D.cfmKernelSize),
    warmupIters: positiveInt('warmupIters', o.warmupIters ?? D.warmupIters, 0),
    adamSteps: positiveInt('adamSteps', o.adamSteps ?? D.adamSteps),
    srmLearningRate: positiveNumber('srmLearningRate', o.srmLearningRate ?? D.srmLearningRate),
    cfmLearningRate: positiveNumber('cfmLearningRate', o.cfmLearningRate ?? D.cfmLearningRate),
    adamEpsilon: positiveNumber('adamEpsilon', o.adamEpsilon ?? D.adamEpsilon),
    ...(o.lowPass && !ddnm ? { lowPass: toLowPass(o.lowPass) } : {}),
    ...(o.lrLowPass ? { lrLowPass: toLowPass(o.lrLowPass) } : {}),
    lrSigmaPerNoise: nonNegativeNumber('lrSigmaPerNoise', o.lrSigmaPerNoise ?? D.lrSigmaPerNoise),
    collapseFactor: positiveNumber('collapseFactor', o.collapseFactor ?? D.collapseFactor),
    collapseRetries: positiveInt('collapseRetries', o.collapseRetries ?? D.collapseRetries, 0),
  };
}

function resolveCall(o: CallOptions): ResolvedCall {
  return {
    seed: positiveInt('seed', o.seed ?? D.seed, 0),
    previewEvery: positiveInt('previewEvery', o.previewEvery ?? D.previewEvery, 0),
    ...(o.onProgress ? { onProgress: o.onProgress } : {}),
    ...(o.signal ? { signal: o.signal } : {}),
  };
}

/**
 * Check every option of `restore()` that needs neither the prior nor the input, and fill in the
 * defaults ({@link RESTORE_DEFAULTS}): the one validation of `restore()`, `restorePhoto()` and the
 * `difbfsr` command line.
 * @throws InvalidOptionError (`INVALID_OPTION`) naming the first option with a value it does not take.
 */
export function resolveRestoreOptions(options: RestoreOptions = {}): ResolvedRestoreOptions {
  const run = resolveMethod(options);
  return { run, chain: resolveChainOptions(options, run.method), optimisation: resolveOptimisation(options), call: resolveCall(options) };
}
