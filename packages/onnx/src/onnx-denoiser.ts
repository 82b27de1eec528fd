import * as tf from '@tensorflow/tfjs-core';
import { DifbfsrError, type Denoiser, type DenoiserOutput } from '@difbfsr/core';
import { checkUNetCall, planUNet, unetParamCount, type StateDict, type UNetConfig, type UNetPlan } from '@difbfsr/models';
import type * as Ort from 'onnxruntime-node';
import { activationsFromArena } from './cpu-arena.js';
import { checkUNetStateDict } from './export.js';
import { serializeModel, type SerializedModel, type WeightStorage } from './graph/serialize.js';
import { availableMemoryBytes, checkMemory, estimateActivationBytes, totalBytes, type MemoryNeed } from './memory.js';
import { autoExecutionProviders, CUDA_INSTALL_HINT, deviceExecutionProviders, runsOnCpu, type ExecutionProviderName, type OnnxDevice } from './providers.js';
import { loadOnnxRuntime, type OnnxRuntime, type OnnxRuntimeKind } from './runtime.js';
import { unetModelSpec } from './unet/unet-graph.js';

/** Options of {@link OnnxDenoiser.create}. */
export interface OnnxDenoiserOptions {
  /**
   * Execution providers, best first. `'auto'` (default): CUDA when onnxruntime-node's CUDA
   * provider is installed, else the CPU; in browsers WebGPU when available, else WebAssembly.
   * When a GPU provider fails to start, the CPU/WebAssembly provider is used (see `fallback`).
   */
  executionProviders?: 'auto' | readonly ExecutionProviderName[];
  /**
   * Where to run, instead of `executionProviders`: `'cuda'` runs on onnxruntime-node's CUDA
   * execution provider or fails (`BACKEND`, naming the missing provider library or why it did not
   * start; never a silent fall back to the CPU); `'cpu'` the CPU (WebAssembly in browsers);
   * `'auto'` as `executionProviders: 'auto'`.
   */
  device?: OnnxDevice;
  /** CPU threads. Default: every core in Node (`os.availableParallelism()`), onnxruntime-web's default in browsers. */
  threads?: number;
  /**
   * Store the weights as float16 (half the memory for the weights; computation stays float32).
   * Default: as the checkpoint stores them, so a float16 checkpoint (`difbfsr convert --fp16`)
   * stays float16, exactly, and a float32 one float32.
   */
  fp16?: boolean;
  /**
   * How the session gets the weights. `'initializers'`: constants inside the model (onnxruntime
   * copies and prepacks them: fastest). `'inputs'`: fed with every run from one JS copy that
   * onnxruntime-node reads in place (least memory; float16 weights are cast to float32 layer by
   * layer as the forward runs). `'auto'` (default), on the native
   * CPU provider: inputs for large models (float32 weights of 256 MiB or more, where they cost
   * little time and save much memory) and when initializers would not fit in free memory, else
   * initializers; initializers on GPUs and in browsers.
   */
  weights?: 'auto' | 'initializers' | 'inputs';
  /** onnxruntime package: `'node'` (default in Node.js) or `'web'`. */
  runtime?: OnnxRuntimeKind;
  /** Name shown in reports; default `<networkName>(onnx, <provider>)`, else `onnx-unet(<size>px, <provider>)`. */
  name?: string;
  /** The network's name (a `NetworkSpec`'s), reported with the runtime and provider unless `name` is given. */
  networkName?: string;
  /** Refuse (OUT_OF_MEMORY) to build a session whose estimated memory exceeds what is free. Default true. */
  memoryCheck?: boolean;
}

/** The name an {@link OnnxDenoiser} reports: `name`, else `<networkName>(onnx, <provider>)`, else `onnx-unet(<size>px, <provider>)`. */
function denoiserName(plan: UNetPlan, provider: ExecutionProviderName, options: OnnxDenoiserOptions): string {
  if (options.name !== undefined) return options.name;
  return options.networkName === undefined ? `onnx-unet(${plan.config.imageSize}px, ${provider})` : `${options.networkName}(onnx, ${provider})`;
}

/** The error a failed onnxruntime call becomes: OUT_OF_MEMORY for allocation failures, else BACKEND. */
function runtimeError(what: string, err: unknown): DifbfsrError {
  const message = (err as Error)?.message ?? String(err);
  const oom = /alloc|out of memory|bad_alloc|memory limit/i.test(message);
  return new DifbfsrError(oom ? 'OUT_OF_MEMORY' : 'BACKEND', `${what}: ${message}`, { cause: err });
}

async function resolveProviders(kind: OnnxRuntimeKind, options: OnnxDenoiserOptions): Promise<ExecutionProviderName[]> {
  const { device, executionProviders: option } = options;
  if (device !== undefined) {
    if (option !== undefined) throw new DifbfsrError('INVALID_OPTION', 'give device or executionProviders, not both');
    return deviceExecutionProviders(device, kind);
  }
  if (option === undefined || option === 'auto') return autoExecutionProviders(kind);
  if (!Array.isArray(option) || option.length === 0) {
    throw new DifbfsrError('INVALID_OPTION', `executionProviders must be 'auto' or a non-empty list, got ${JSON.stringify(option)}`);
  }
  return [...option];
}

async function defaultThreads(kind: OnnxRuntimeKind): Promise<number | undefined> {
  if (kind !== 'node') return undefined;
  const os = await import('node:os');
  return os.availableParallelism();
}

/**
 * guided-diffusion U-Net run by ONNX Runtime, as a core {@link Denoiser}: `onnxruntime-node` in
 * Node.js (native CPU on every core, or CUDA when its provider is installed), `onnxruntime-web` in
 * browsers (WebGPU when available, else WebAssembly). The network is exported to ONNX in memory
 * from the same config and state dict as the tfjs `UNet`, and gives the same results to float
 * tolerance. `predict` takes and returns NHWC tfjs tensors, like every denoiser.
 */
export class OnnxDenoiser implements Denoiser {
  readonly resolution: number;
  readonly learnedVariance: boolean;
  readonly name: string;
  /** The provider the session runs on. */
  readonly executionProvider: ExecutionProviderName;
  /** How the weights are stored (see {@link OnnxDenoiserOptions.fp16}); the computation is float32 either way. */
  readonly weightsDtype: 'float16' | 'float32';
  /** How the session got the weights (see {@link OnnxDenoiserOptions.weights}). */
  readonly weights: 'initializers' | 'inputs';
  /** Why a preferred provider was not used (for example CUDA without a driver), if it was not. */
  readonly fallback?: string;
  private session: Ort.InferenceSession | undefined;

  private constructor(
    private readonly ort: OnnxRuntime,
    private readonly plan: UNetPlan,
    session: Ort.InferenceSession,
    private readonly weightFeeds: Record<string, Ort.Tensor>,
    provider: ExecutionProviderName,
    fallback: string | undefined,
    name: string,
    fp16: boolean,
  ) {
    this.session = session;
    this.weightsDtype = fp16 ? 'float16' : 'float32';
    this.resolution = plan.config.imageSize;
    this.learnedVariance = plan.config.outChannels === 6;
    this.executionProvider = provider;
    this.weights = Object.keys(weightFeeds).length > 0 ? 'inputs' : 'initializers';
    if (fallback) this.fallback = fallback;
    this.name = name;
  }

  /**
   * Export the network `config` describes with the weights of `stateDict` (from `loadCheckpoint`
   * of `@difbfsr/models`, the same input as `UNet.fromStateDict`) and open an onnxruntime session.
   * @throws DifbfsrError `BACKEND` when onnxruntime is not installed or the session fails;
   *   `INVALID_OPTION` for an unbuildable config or bad options; `CONFIG_MISMATCH` when the state
   *   dict does not fit the config; `OUT_OF_MEMORY` when the model will not fit in free memory.
   */
  static async create(config: UNetConfig, stateDict: StateDict, options: OnnxDenoiserOptions = {}): Promise<OnnxDenoiser> {
    const plan = planUNet(config);
    checkUNetStateDict(config, stateDict, options.name);
    const params = unetParamCount(config);
    options = { ...options, fp16: options.fp16 ?? storedAsHalf(stateDict) };
    const { ort, kind } = await loadOnnxRuntime(options.runtime);
    const providers = await resolveProviders(kind, options);
    const threads = options.threads ?? (await defaultThreads(kind));
    if (threads !== undefined && !(Number.isInteger(threads) && threads > 0)) {
      throw new DifbfsrError('INVALID_OPTION', `threads must be a positive integer, got ${threads}`);
    }
    // A device asked for by name is used or fails; otherwise a GPU that does not start falls back to the CPU.
    const strict = options.device === 'cuda';
    const attempts = strict || runsOnCpu(providers[0]) ? [providers] : [providers, [kind === 'node' ? 'cpu' : 'wasm'] as ExecutionProviderName[]];
    let firstError: unknown;
    for (const list of attempts) {
      const storage = await chooseStorage(plan, params, kind, list[0], options);
      if (options.memoryCheck !== false) {
        // WebAssembly cannot address more than 4 GiB, whatever the machine has.
        checkMemory(sessionNeed(plan, params, storage, kind, list[0], options), list[0] === 'wasm' ? 4 * 2 ** 30 : await availableMemoryBytes());
      }
      const serialized = serializeModel(unetModelSpec(plan, stateDict, { layout: 'nhwc', precision: options.fp16 ? 'float16' : 'float32' }), storage);
      try {
        const session = await ort.InferenceSession.create(serialized.model, sessionOptions(ort, kind, list, threads, serialized));
        const fallback = firstError === undefined ? undefined : `${providers[0]} failed: ${(firstError as Error)?.message ?? String(firstError)}`;
        return new OnnxDenoiser(ort, plan, session, weightFeeds(ort, serialized), list[0], fallback, denoiserName(plan, list[0], options), options.fp16 === true);
      } catch (err) {
        firstError ??= err;
      }
    }
    if (strict) {
      const message = (firstError as Error)?.message ?? String(firstError);
      throw new DifbfsrError('BACKEND', `device 'cuda': onnxruntime-node's CUDA execution provider did not start (${message}); ${CUDA_INSTALL_HINT}`, { cause: firstError });
    }
    throw runtimeError(`onnxruntime-${kind} could not open a session on ${providers.join(', ')}`, firstError);
  }

  /**
   * {@link Denoiser.predict}: NHWC `x` `[B, H, W, 3]` (float32, H and W multiples of 2^(levels-1)),
   * ORIGINAL timesteps `t` (one per item) -> `eps` and, for learned-variance models, `v`, each
   * `[B, H, W, 3]` and owned by the caller.
   * @throws DifbfsrError `INVALID_INPUT` / `INVALID_SIZE` / `UNSUPPORTED_DTYPE` for bad arguments,
   *   `OUT_OF_MEMORY` or `BACKEND` when the run fails.
   */
  async predict(x: tf.Tensor4D, t: readonly number[]): Promise<DenoiserOutput> {
    const session = this.checkCall(x, t);
    const [b, h, w] = x.shape;
    const { Tensor } = this.ort;
    const feeds: Record<string, Ort.Tensor> = {
      ...this.weightFeeds,
      x: new Tensor('float32', (await x.data()) as Float32Array, [b, h, w, 3]),
      timesteps: new Tensor('float32', Float32Array.from(t), [b]),
    };
    let results: Ort.InferenceSession.ReturnType;
    try {
      results = await session.run(feeds);
    } catch (err) {
      throw runtimeError(`${this.name}: forward failed`, err);
    }
    const output = (name: string): tf.Tensor4D => {
      const value = results[name];
      const out = tf.tensor4d(value.data as Float32Array, [b, h, w, 3]);
      value.dispose();
      return out;
    };
    return this.learnedVariance ? { eps: output('eps'), v: output('v') } : { eps: output('eps') };
  }

  /** Release the session. Later calls throw. */
  dispose(): void {
    void this.session?.release();
    this.session = undefined;
  }

  private checkCall(x: tf.Tensor4D, t: readonly number[]): Ort.InferenceSession {
    if (!this.session) throw new DifbfsrError('INVALID_INPUT', `${this.name} has been disposed`);
    checkUNetCall(this.name, this.plan, x, t);
    return this.session;
  }
}

/**
 * Float32 weights from which `weights: 'auto'` feeds them as inputs on the native CPU provider.
 * Measured by bench/onnx.ts: for ffhq256-p2 (357 MiB) inputs cost 6-12% more time per forward and
 * save a third or more of the peak RSS; for the 19 MiB face prior they cost 20-30% and save nothing
 * that matters.
 */
export const LARGE_WEIGHTS_BYTES = 256 * 2 ** 20;

/** How the weights reach the session: see {@link OnnxDenoiserOptions.weights}. */
export async function chooseStorage(
  plan: UNetPlan,
  params: number,
  kind: OnnxRuntimeKind,
  provider: ExecutionProviderName,
  options: OnnxDenoiserOptions,
): Promise<WeightStorage> {
  const mode = options.weights ?? 'auto';
  if (mode === 'inputs') return 'inputs';
  if (mode === 'initializers') return 'external';
  if (mode !== 'auto') throw new DifbfsrError('INVALID_OPTION', `weights must be 'auto', 'initializers' or 'inputs', got ${JSON.stringify(mode)}`);
  if (kind !== 'node' || provider !== 'cpu') return 'external';
  if (4 * params >= LARGE_WEIGHTS_BYTES) return 'inputs';
  const available = await availableMemoryBytes();
  return available === undefined || totalBytes(sessionNeed(plan, params, 'external', kind, provider, options)) <= available ? 'external' : 'inputs';
}

/**
 * What the session will hold in this process: the weights in JS (the model bytes, or the weight
 * inputs), onnxruntime's own copies unless the weights are fed as inputs (it holds about twice
 * the float32 weights while it optimises the graph), and one native-size forward's activations,
 * for CPU providers.
 */
function sessionNeed(plan: UNetPlan, params: number, storage: WeightStorage, kind: OnnxRuntimeKind, provider: ExecutionProviderName, options: OnnxDenoiserOptions): MemoryNeed {
  const fp32 = 4 * params;
  const onCpu = runsOnCpu(provider);
  const size = plan.config.imageSize;
  return {
    what: `${options.name ?? `the ${size}px U-Net`} (${(params / 1e6).toFixed(1)}M parameters, onnxruntime-${kind} ${provider}, weights as ${storage === 'inputs' ? 'inputs' : 'initializers'})`,
    jsWeights: options.fp16 ? fp32 / 2 : fp32,
    runtimeWeights: onCpu && storage !== 'inputs' ? 2 * fp32 : 0,
    activations: onCpu ? estimateActivationBytes(plan, 1, size) : 0,
    input: `1x${size}x${size}`,
  };
}

function sessionOptions(
  ort: OnnxRuntime,
  kind: OnnxRuntimeKind,
  providers: readonly ExecutionProviderName[],
  threads: number | undefined,
  serialized: SerializedModel,
): Ort.InferenceSession.SessionOptions {
  // On glibc the activations come from onnxruntime's arena (see activationsFromArena), whatever
  // holds the weights: without it, each activation is malloc'd and the first forward was 5-10x
  // slower than the next (narrowed 512 px DifFace U-Net with initializers: 24.4 s, then 1.3 s;
  // with the arena 3.0 s, then 1.3 s, and 639 MiB of RSS instead of 852).
  const arena = kind === 'node' && runsOnCpu(providers[0]) && activationsFromArena();
  const options: Ort.InferenceSession.SessionOptions = {
    executionProviders: [...providers],
    graphOptimizationLevel: 'all',
    enableCpuMemArena: arena,
    enableMemPattern: !arena,
  };
  if (kind === 'node') {
    options.intraOpNumThreads = threads;
    // Idle worker threads sleep instead of spinning: between U-Net calls, restore() runs the SRM/CFM
    // optimisation on the same cores, and spinning threads slow it (and runs on busy machines).
    options.extra = { session: { intra_op: { allow_spinning: '0' } } };
  } else if (threads !== undefined) {
    ort.env.wasm.numThreads = threads;
  }
  if (serialized.weights) options.externalData = [{ path: serialized.weightsLocation!, data: serialized.weights }];
  return options;
}

/** Whether every floating-point tensor of the checkpoint is stored as float16. */
function storedAsHalf(stateDict: StateDict): boolean {
  const floats = stateDict.names().map((n) => stateDict.get(n).dtype).filter((d) => d.startsWith('float') || d === 'bfloat16');
  return floats.length > 0 && floats.every((d) => d === 'float16');
}

/** The weight inputs as onnxruntime tensors over their bytes (copied only when misaligned). */
function weightFeeds(ort: OnnxRuntime, serialized: SerializedModel): Record<string, Ort.Tensor> {
  const feeds: Record<string, Ort.Tensor> = {};
  for (const w of serialized.weightInputs ?? []) {
    const size = w.dtype === 'float16' ? 2 : 4;
    const bytes = w.data.byteOffset % size === 0 ? w.data : w.data.slice();
    const data = size === 2 ? new Uint16Array(bytes.buffer, bytes.byteOffset, bytes.byteLength / 2) : new Float32Array(bytes.buffer, bytes.byteOffset, bytes.byteLength / 4);
    feeds[w.name] = new ort.Tensor(w.dtype === 'float16' ? 'float16' : 'float32', data, [...w.dims]);
  }
  return feeds;
}
