/**
 * Child process of bench/chain-step.ts: one restore() at the weights' native size with the U-Net
 * and the SRM/CFM optimisation on ONNX Runtime (CPU), in a fresh process, timing every U-Net call,
 * SRM/CFM update and warm-up iteration and the wall time of each chain step; prints one JSON line
 * ({@link ChainStepRun}).
 *
 *   node --import tsx bench/chain-step-child.ts <weights.safetensors|.pt> [--threads 2] [--steps 4] [--warmup 3]
 *
 * The input is examples/assets/face-hr.png (a 64 px face) resized to the prior's input size.
 */
import { existsSync, readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { fileURLToPath } from 'node:url';
import type { ContractionOptimizer, ContractionProblem, Denoiser, DenoiserOutput } from '../packages/core/src/index.js';
import { loadCheckpoint, unetConfigOf, unetParamCount } from '../packages/models/src/index.js';
import { OnnxContractionOptimizer, OnnxDenoiser } from '../packages/onnx/src/index.js';

const req = createRequire(new URL('../packages/models/package.json', import.meta.url));
const tf = req('@tensorflow/tfjs-core') as typeof import('@tensorflow/tfjs-core');
/** The part of sharp (a dependency of @difbfsr/backend-node) used here. */
type Sharp = (file: string) => {
  resize(width: number, height: number, options: { kernel: 'cubic' }): { removeAlpha(): { raw(): { toBuffer(): Promise<Uint8Array> } } };
};
const sharp = createRequire(new URL('../packages/backend-node/package.json', import.meta.url))('sharp') as Sharp;
type Tensor4D = import('@tensorflow/tfjs-core').Tensor4D;

/** What the child reports. Times in ms, memory in MiB. */
export interface ChainStepRun {
  params: number;
  /** How the U-Net session got its weights (`inputs` or `initializers`). */
  weights: string;
  baselineMiB: number;
  /** RSS after the U-Net session opened, after the SRM warm-up, after the first chain step, at the end. */
  createdMiB: number;
  warmedUpMiB: number;
  firstStepMiB: number;
  endMiB: number;
  peakMiB: number;
  createMs: number;
  warmupMs: number[];
  unetMs: number[];
  contractionMs: number[];
  /** Wall time of each chain step after the first (from one progress report to the next). */
  stepMs: number[];
  totalMs: number;
}

function option(name: string, fallback: string): string {
  const i = process.argv.indexOf(`--${name}`);
  return i >= 0 ? process.argv[i + 1] : fallback;
}
const mib = (bytes: number): number => bytes / 2 ** 20;

/** This process's peak RSS (VmHWM: its own address space only). */
function peakMiB(): number {
  const status = existsSync('/proc/self/status') ? readFileSync('/proc/self/status', 'utf8') : '';
  const hwm = /^VmHWM:\s+(\d+) kB/m.exec(status);
  return hwm ? Number(hwm[1]) / 1024 : process.resourceUsage().maxRSS / 1024;
}

/** Times every `predict`. */
class TimedDenoiser implements Denoiser {
  readonly ms: number[] = [];
  readonly resolution: number;
  readonly learnedVariance: boolean;
  readonly name?: string;
  constructor(private readonly inner: Denoiser) {
    this.resolution = inner.resolution;
    this.learnedVariance = inner.learnedVariance;
    this.name = inner.name;
  }
  async predict(x: Tensor4D, t: readonly number[]): Promise<DenoiserOutput> {
    const start = performance.now();
    const out = await this.inner.predict(x, t);
    this.ms.push(performance.now() - start);
    return out;
  }
}

/** Times every warm-up iteration and diffusion-step update of the ONNX Runtime optimiser. */
function timedOptimizer(threads: number, warmupMs: number[], contractionMs: number[]): (p: ContractionProblem) => Promise<ContractionOptimizer> {
  const timed = async <T>(into: number[], run: () => Promise<T>): Promise<T> => {
    const start = performance.now();
    const out = await run();
    into.push(performance.now() - start);
    return out;
  };
  return async (problem) => {
    const inner = await OnnxContractionOptimizer.create(problem, { threads });
    return {
      name: inner.name,
      yHat: () => inner.yHat(),
      warmupStep: () => timed(warmupMs, () => inner.warmupStep()),
      diffusionStep: (x0) => timed(contractionMs, () => inner.diffusionStep(x0)),
      dispose: () => inner.dispose(),
    };
  };
}

async function main(): Promise<void> {
  const file = process.argv[2];
  const threads = Number(option('threads', '2'));
  const steps = Number(option('steps', '4'));
  const warmup = Number(option('warmup', '3'));
  const wasm = req('@tensorflow/tfjs-backend-wasm') as typeof import('@tensorflow/tfjs-backend-wasm');
  wasm.setThreadsCount(threads);
  await tf.setBackend('wasm');
  const { restoreWithInfo } = await import('../packages/core/src/index.js');
  const baselineMiB = mib(process.memoryUsage().rss);
  const started = performance.now();
  const stateDict = await loadCheckpoint(file);
  const config = unetConfigOf(stateDict, file);
  const onnx = await OnnxDenoiser.create(config, stateDict, { threads, device: 'cpu' });
  const createMs = performance.now() - started;
  const createdMiB = mib(process.memoryUsage().rss);
  const side = onnx.resolution / 4;
  const face = fileURLToPath(new URL('../examples/assets/face-hr.png', import.meta.url));
  const pixels = await sharp(face).resize(side, side, { kernel: 'cubic' }).removeAlpha().raw().toBuffer();
  const lr = tf.tensor3d(Int32Array.from(pixels), [side, side, 3], 'int32');
  const prior = new TimedDenoiser(onnx);
  const warmupMs: number[] = [];
  const contractionMs: number[] = [];
  const reports: number[] = [];
  const rss: Record<'warmedUp' | 'firstStep', number> = { warmedUp: Number.NaN, firstStep: Number.NaN };
  const { output } = await restoreWithInfo(lr, {
    prior,
    optimizer: timedOptimizer(threads, warmupMs, contractionMs),
    steps,
    warmupIters: warmup,
    seed: 1,
    // Random weights: the collapse check would rerun the chain and time two restores in one.
    collapseRetries: 0,
    onProgress: (p) => {
      if (p.phase === 'warmup' && p.step === p.total) rss.warmedUp = mib(process.memoryUsage().rss);
      if (p.phase !== 'diffusion') return;
      reports.push(performance.now());
      if (p.step === 1) rss.firstStep = mib(process.memoryUsage().rss);
    },
  });
  const totalMs = performance.now() - started;
  tf.dispose([output, lr]);
  const run: ChainStepRun = {
    params: unetParamCount(config),
    weights: onnx.weights,
    baselineMiB,
    createdMiB,
    warmedUpMiB: rss.warmedUp,
    firstStepMiB: rss.firstStep,
    endMiB: mib(process.memoryUsage().rss),
    peakMiB: peakMiB(),
    createMs,
    warmupMs,
    unetMs: prior.ms,
    contractionMs,
    stepMs: reports.slice(1).map((t, i) => t - reports[i]),
    totalMs,
  };
  onnx.dispose();
  console.log(JSON.stringify(run));
}

if (process.argv[1] === fileURLToPath(import.meta.url)) await main();
