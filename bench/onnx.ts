/**
 * ONNX denoiser benchmark: ONNX Runtime (onnxruntime-node, CPU) against tfjs WASM and PyTorch CPU.
 *
 *   node --import tsx bench/onnx.ts [--threads 2] [--repeats 3] [--steps 100] [--iters 10] [--adam-eps X]
 *       [--configs face64,ffhq256-p2] [--no-torch] [--no-forward] [--no-memory] [--no-update] [--no-restore]
 *       [--chain [--chain-steps 4] [--chain-warmup 3]]
 *
 * 1. U-Net forward, batch 1 at the native size, for the 64 px bundled prior (its weights when
 *    packages/models/assets/face64/prior.safetensors exists, else its config with random weights)
 *    and ffhq256-p2 (random weights): the weights are written once to a temporary safetensors file
 *    that the ONNX denoiser, the tfjs U-Net and PyTorch (bench/unet_forward_torch.py's module, run
 *    by /usr/bin/python3) all load; same input, same thread count. Median of R after a warm-up,
 *    plus each output's largest difference from PyTorch's. PyTorch runs as configured and with
 *    OMP_WAIT_POLICY=PASSIVE; the faster is the reference.
 * 2. RSS of a fresh process that loads ffhq256-p2 from that file, opens the ONNX denoiser and
 *    runs one forward, at each stage (weights `'auto'`, the default, and `'initializers'`; glibc's
 *    malloc as it comes and with a fixed mmap threshold).
 * 3. One SRM+CFM update at 64 px (x4, 16->64: SRM Adam step, y_hat recomputed, CFM Adam step,
 *    fusion) on tfjs WASM and on ONNX Runtime, median of `iters` after a warm-up.
 * 4. A default restore at 64 px (`steps` default 100) with the 64 px prior: (a) tfjs WASM only,
 *    (b) the ONNX denoiser with the SRM/CFM optimisation on tfjs WASM, (c) both on ONNX Runtime,
 *    with the time spent outside the U-Net calls; two alternating runs of each, the faster reported.
 * 5. With `--chain`, for each config: one chain step at its native size split into the U-Net call
 *    and the SRM/CFM work, with peak RSS, on ONNX Runtime against PyTorch (bench/chain-step.ts).
 * Prints markdown tables.
 */
import { spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { createRequire } from 'node:module';
import { tmpdir } from 'node:os';
import { basename, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { chainStepSection, FIXED_MMAP_THRESHOLD } from './chain-step.js';
import { torchConfig } from './torch-config.js';
import type { Denoiser, DenoiserOutput } from '../packages/core/src/index.js';
import {
  BUNDLED_PRIOR_URL,
  getPreset,
  loadCheckpoint,
  saveSafetensorsFile,
  UNet,
  unetConfigOf,
  unetParamCount,
  type StateDict,
  type UNetConfig,
} from '../packages/models/src/index.js';
import { OnnxContractionOptimizer, OnnxDenoiser, type OnnxDenoiserOptions } from '../packages/onnx/src/index.js';
import { randomUNetTensors } from '../packages/onnx/test/random-state-dict.js';

const req = createRequire(new URL('../packages/models/package.json', import.meta.url));
const tf = req('@tensorflow/tfjs-core') as typeof import('@tensorflow/tfjs-core');
type Tensor4D = import('@tensorflow/tfjs-core').Tensor4D;

/** The bundled 64 px prior's architecture (packages/models/MODEL_CARD.md). */
const FACE64: UNetConfig = {
  image_size: 64,
  num_channels: 32,
  channel_mult: [1, 2, 4, 4],
  num_res_blocks: 1,
  attention_resolutions: '16,8',
  num_head_channels: 32,
  use_scale_shift_norm: true,
  resblock_updown: false,
  learn_sigma: true,
};
const BUNDLED = fileURLToPath(BUNDLED_PRIOR_URL);

function option(name: string, fallback: string): string {
  const i = process.argv.indexOf(`--${name}`);
  return i >= 0 ? process.argv[i + 1] : fallback;
}
const flag = (name: string): boolean => process.argv.includes(`--${name}`);
const median = (xs: number[]): number => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)];
const MiB = 2 ** 20;
const rssMiB = (): number => process.memoryUsage().rss / MiB;
/**
 * This process's peak RSS: Linux's VmHWM, the high-water mark of its own address space (getrusage's
 * maxrss would also count the parent's RSS at fork time, which a spawned child inherits).
 */
function peakMiB(): number {
  const status = existsSync('/proc/self/status') ? readFileSync('/proc/self/status', 'utf8') : '';
  const hwm = /^VmHWM:\s+(\d+) kB/m.exec(status);
  return hwm ? Number(hwm[1]) / 1024 : process.resourceUsage().maxRSS / 1024;
}

/** A deterministic NCHW input in [-1, 1]. */
function inputNchw(size: number): Float32Array {
  return Float32Array.from({ length: 3 * size * size }, (_, i) => 0.9 * Math.sin(i * 0.37 + 0.1 * Math.cos(i * 0.011)));
}

function nchwToNhwc(data: Float32Array, c: number, h: number, w: number): Float32Array {
  const out = new Float32Array(data.length);
  for (let k = 0; k < c; k++) for (let p = 0; p < h * w; p++) out[p * c + k] = data[k * h * w + p];
  return out;
}

/** Largest |a - ref| / max(1, |ref|) between NHWC channels [from, from + 3) of `a` and NCHW `ref`. */
function relDiff(a: Float32Array, ref: Float32Array, from: number, size: number): number {
  let worst = 0;
  for (let k = 0; k < 3; k++) {
    for (let p = 0; p < size * size; p++) {
      const r = ref[(from + k) * size * size + p];
      worst = Math.max(worst, Math.abs(a[p * 3 + k] - r) / Math.max(1, Math.abs(r)));
    }
  }
  return worst;
}

/** Loads the weights file into bench/unet_forward_torch.py's module and times it on the input. */
const TORCH_SCRIPT = `
import json, resource, statistics, sys, time
sys.path.insert(0, sys.argv[1])
import torch
from unet_forward_torch import build_unet, read_safetensors
cfg, weights, x_file, out_file = json.loads(sys.argv[2]), sys.argv[3], sys.argv[4], sys.argv[5]
threads, repeats, size = int(sys.argv[6]), int(sys.argv[7]), int(sys.argv[8])
torch.set_num_threads(threads)
model = build_unet(torch, cfg).eval()
model.load_state_dict(read_safetensors(torch, weights))
x = torch.frombuffer(bytearray(open(x_file, "rb").read()), dtype=torch.float32).reshape(1, 3, size, size)
t = torch.full((1,), 500, dtype=torch.int64)
times = []
with torch.no_grad():
    y = model(x, t)
    for _ in range(repeats):
        start = time.perf_counter()
        model(x, t)
        times.append((time.perf_counter() - start) * 1000)
open(out_file, "wb").write(y.contiguous().numpy().tobytes())
try:  # VmHWM: this address space only (ru_maxrss also counts the parent's RSS at fork)
    peak = next(int(l.split()[1]) for l in open("/proc/self/status") if l.startswith("VmHWM:")) / 1024
except (OSError, StopIteration):
    peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
print(json.dumps({"torch": torch.__version__, "threads": torch.get_num_threads(), "ms": statistics.median(times), "peak_rss_mib": peak}))
`;

interface TorchRun {
  ms?: number;
  threads?: number;
  torch?: string;
  peak_rss_mib?: number;
  out?: Float32Array;
  skipped?: string;
}

/**
 * PyTorch on the weights file, twice: as configured, and with `OMP_WAIT_POLICY=PASSIVE` (libgomp's
 * spinning barriers collapse when another process shares the cores, as on the shared bench
 * machines); the faster is the reference.
 */
function runTorchBest(config: UNetConfig, weights: string, dir: string, size: number, threads: number, repeats: number): TorchRun & { activeMs?: number; passiveMs?: number } {
  const active = runTorch(config, weights, dir, size, threads, repeats, {});
  const passive = runTorch(config, weights, dir, size, threads, repeats, { OMP_WAIT_POLICY: 'PASSIVE' });
  const best = passive.ms !== undefined && (active.ms === undefined || passive.ms < active.ms) ? passive : active;
  return { ...best, activeMs: active.ms, passiveMs: passive.ms };
}

function runTorch(config: UNetConfig, weights: string, dir: string, size: number, threads: number, repeats: number, extraEnv: Record<string, string>): TorchRun {
  if (flag('no-torch')) return { skipped: '--no-torch' };
  const xFile = join(dir, `x-${size}.bin`);
  const outFile = join(dir, `torch-out-${size}.bin`);
  const { writeFileSync } = req('node:fs') as typeof import('node:fs');
  writeFileSync(xFile, inputNchw(size));
  const benchDir = fileURLToPath(new URL('.', import.meta.url));
  const args = ['-c', TORCH_SCRIPT, benchDir, torchConfig(config), weights, xFile, outFile, `${threads}`, `${repeats}`, `${size}`];
  const env = { ...process.env, OMP_NUM_THREADS: `${threads}`, OPENBLAS_NUM_THREADS: `${threads}`, ...extraEnv };
  const r = spawnSync('/usr/bin/python3', args, { encoding: 'utf8', env, maxBuffer: 1 << 20 });
  if (r.error) return { skipped: `cannot run /usr/bin/python3 (${r.error.message})` };
  if (r.status !== 0) return { skipped: `PyTorch failed: ${r.stderr.trim().split('\n').pop()}` };
  const out = new Float32Array(new Uint8Array(readFileSync(outFile)).buffer);
  return { ...(JSON.parse(r.stdout.trim().split('\n').pop()!) as TorchRun), out };
}

/** Time `predict` (median of `repeats` after a warm-up); returns ms and the last output as NHWC eps|v. */
async function timeDenoiser(net: Denoiser, x: Tensor4D, repeats: number): Promise<{ ms: number; eps: Float32Array; v?: Float32Array }> {
  const times: number[] = [];
  let last: { eps: Float32Array; v?: Float32Array } | undefined;
  for (let i = 0; i <= repeats; i++) {
    const start = performance.now();
    const { eps, v } = await net.predict(x, [500]);
    const epsData = (await eps.data()) as Float32Array;
    const vData = v ? ((await v.data()) as Float32Array) : undefined;
    if (i > 0) times.push(performance.now() - start);
    tf.dispose([eps, v ?? []]);
    last = { eps: epsData, v: vData };
  }
  return { ms: median(times), ...last! };
}

interface Weights {
  label: string;
  config: UNetConfig;
  file: string;
  stateDict: StateDict;
}

/** The named config's weights in a safetensors file (the bundled prior's own file when present). */
async function weightsFor(name: string, dir: string): Promise<Weights> {
  if (name === 'face64' && existsSync(BUNDLED)) {
    const stateDict = await loadCheckpoint(BUNDLED);
    // PyTorch's reader takes float32 only: write the (float16) prior out as float32.
    const file = join(dir, 'face64.safetensors');
    const tensors = new Map(stateDict.names().map((n) => [n, { shape: [...stateDict.get(n).shape], data: stateDict.get(n).toFloat32() }]));
    await saveSafetensorsFile(file, tensors, { ...stateDict.metadata });
    return { label: 'face64 (bundled prior)', config: unetConfigOf(stateDict), file, stateDict: await loadCheckpoint(file) };
  }
  const config = name === 'face64' ? FACE64 : getPreset(name).config;
  const file = join(dir, `${name}.safetensors`);
  await saveSafetensorsFile(file, randomUNetTensors(config, 1), { config: JSON.stringify(config) });
  return { label: `${name} (random weights)`, config, file, stateDict: await loadCheckpoint(file) };
}

async function forwardRow(w: Weights, dir: string, threads: number, repeats: number): Promise<{ row: string; torchPeak?: number }> {
  const size = w.config.image_size;
  const x = tf.tensor4d(nchwToNhwc(inputNchw(size), 3, size, size), [1, size, size, 3]);
  const row: string[] = [w.label, `${(unetParamCount(w.config) / 1e6).toFixed(2)}M`, `1x${size}x${size}`];
  const torch = runTorchBest(w.config, w.file, dir, size, threads, repeats);
  const diff = (r: { eps: Float32Array; v?: Float32Array }): string => {
    if (!torch.out) return 'n/a';
    const d = Math.max(relDiff(r.eps, torch.out, 0, size), r.v ? relDiff(r.v, torch.out, 3, size) : 0);
    return d.toExponential(1);
  };
  const results: Array<{ ms: number; diff: string }> = [];
  for (const weights of ['inputs', 'initializers'] as const) {
    const onnx = await OnnxDenoiser.create(w.config, w.stateDict, { threads, weights, executionProviders: ['cpu'] } satisfies OnnxDenoiserOptions);
    const r = await timeDenoiser(onnx, x, repeats);
    onnx.dispose();
    results.push({ ms: r.ms, diff: diff(r) });
  }
  const unet = UNet.fromStateDict(w.config, w.stateDict);
  const tfjs = await timeDenoiser(unet, x, repeats);
  unet.dispose();
  x.dispose();
  const torchMs = torch.ms;
  const ratio = (ms: number): string => (torchMs === undefined ? 'n/a' : `${(ms / torchMs).toFixed(2)}x`);
  row.push(
    `${results[0].ms.toFixed(0)}`,
    `${results[1].ms.toFixed(0)}`,
    `${tfjs.ms.toFixed(0)}`,
    torchMs === undefined ? `skipped: ${torch.skipped}` : `${torch.activeMs?.toFixed(0) ?? 'n/a'} / ${torch.passiveMs?.toFixed(0) ?? 'n/a'} (torch ${torch.torch})`,
    ratio(results[0].ms),
    ratio(results[1].ms),
    ratio(tfjs.ms),
    `${results[0].diff} / ${results[1].diff} / ${diff(tfjs)}`,
  );
  return { row: `| ${row.join(' | ')} |`, torchPeak: torch.peak_rss_mib };
}

type MemoryWeights = 'auto' | 'initializers';

/** RSS (MiB) at each stage of {@link memoryChild}; `peak*` are high-water marks (VmHWM). */
interface MemoryStages {
  /** The storage `weights` resolved to. */
  storage: string;
  baseline: number;
  /** After `loadCheckpoint` (lazy: the tensors stay in the file). */
  loaded: number;
  /** After `OnnxDenoiser.create` (which builds the graph and opens the session). */
  created: number;
  /** JS ArrayBuffers alive after `create`: the weight inputs; with initializers, the model bytes until they are collected. */
  createdArrayBuffers: number;
  peakCreate: number;
  /** After one forward, its outputs disposed. */
  afterForward: number;
  peak: number;
}

/** Child process: open the ONNX denoiser on a weights file, run one forward, report RSS at each stage. */
async function memoryChild(file: string, weights: MemoryWeights, threads: number): Promise<void> {
  const baseline = rssMiB();
  const stateDict = await loadCheckpoint(file);
  const loaded = rssMiB();
  const config = unetConfigOf(stateDict);
  const net = await OnnxDenoiser.create(config, stateDict, { threads, weights, executionProviders: ['cpu'] });
  const created = rssMiB();
  const createdArrayBuffers = process.memoryUsage().arrayBuffers / MiB;
  const peakCreate = peakMiB();
  const size = config.image_size;
  const x = tf.tensor4d(nchwToNhwc(inputNchw(size), 3, size, size), [1, size, size, 3]);
  const { eps, v } = await net.predict(x, [500]);
  tf.dispose([x, eps, v ?? []]);
  const afterForward = rssMiB();
  const stages: MemoryStages = { storage: net.weights, baseline, loaded, created, createdArrayBuffers, peakCreate, afterForward, peak: peakMiB() };
  net.dispose();
  console.log(JSON.stringify(stages));
}

function memoryRow(file: string, config: UNetConfig, weights: MemoryWeights, tuned: boolean, threads: number, torchPeak: number | undefined): string {
  const script = fileURLToPath(import.meta.url);
  const r = spawnSync(process.execPath, ['--import', 'tsx', script, '--child-memory', file, '--weights', weights, '--threads', `${threads}`], {
    encoding: 'utf8',
    maxBuffer: 1 << 20,
    env: { ...process.env, ...(tuned ? FIXED_MMAP_THRESHOLD : {}) },
  });
  const malloc = tuned ? 'MALLOC_MMAP_THRESHOLD_=1048576' : 'default';
  if (r.status !== 0) return `| ${weights} | ${malloc} | failed: ${r.stderr.trim().split('\n').pop()} |`;
  const m = JSON.parse(r.stdout.trim().split('\n').pop()!) as MemoryStages;
  const fp32 = (4 * unetParamCount(config)) / MiB;
  const mib = (x: number): string => `${x.toFixed(0)}`;
  const torch = torchPeak === undefined ? 'n/a' : mib(torchPeak);
  return (
    `| ${weights === 'auto' ? `auto (${m.storage})` : weights} | ${malloc} | ${mib(m.baseline)} | ${mib(m.loaded)} | ${mib(m.created)} (${mib(m.createdArrayBuffers)}) | ` +
    `${mib(m.peakCreate)} | ${mib(m.afterForward)} | ${mib(m.peak)} | ${(m.peak / fp32).toFixed(2)}x | ${((m.peak - m.baseline) / fp32).toFixed(2)}x | ${torch} |`
  );
}

/** Times every `predict` of a denoiser (the U-Net calls of a restore). */
class TimedDenoiser implements Denoiser {
  ms = 0;
  calls = 0;
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
    this.ms += performance.now() - start;
    this.calls++;
    return out;
  }
}

/**
 * One SRM+CFM update as restore() runs it at 64 px (x4), on tfjs WASM and on ONNX Runtime, from
 * the same modules and inputs; median of `iters` after two warm-up updates.
 */
async function updateRows(threads: number, iters: number): Promise<string[]> {
  const core = await import('../packages/core/src/index.js');
  const rng = new core.SeededRandom(0);
  const srm = new core.SuperResolutionModule(rng, { scale: 4 });
  const cfm = new core.ConditionalFusionModule(rng);
  const y = rng.uniform<import('@tensorflow/tfjs-core').Rank.R4>([1, 16, 16, 3], -1, 1);
  const x0 = rng.uniform<import('@tensorflow/tfjs-core').Rank.R4>([1, 64, 64, 3], -1, 1);
  const lrLowPass = core.gaussianLowPass(1);
  const problem = {
    y,
    lowY: lrLowPass.apply(y),
    upsampled: core.resizeBicubic(y, 64, 64),
    srm,
    cfm,
    scale: 4,
    learnSrm: true,
    learnCfm: true,
    adamSteps: 1,
    srmLearningRate: 2e-3,
    cfmLearningRate: 5e-3,
    adamEpsilon: core.RESTORE_DEFAULTS.adamEpsilon,
    lowPass: core.downUpLowPass(4),
    lrLowPass,
    lrProjection: core.lrProjection(64, 64, 4, { blur: 2.5, noise: 15 }),
  };
  // ONNX Runtime copies the initial weights; tfjs then updates the modules in place.
  const optimizers = { onnx: await OnnxContractionOptimizer.create(problem, { threads }), tfjs: new core.TfjsContractionOptimizer(problem) };
  const ms: Record<string, number> = {};
  for (const [kind, opt] of Object.entries(optimizers)) {
    const times: number[] = [];
    for (let i = 0; i < iters + 2; i++) {
      const start = performance.now();
      const { xHat } = await opt.diffusionStep(x0);
      xHat.dataSync();
      if (i >= 2) times.push(performance.now() - start);
      xHat.dispose();
    }
    ms[kind] = median(times);
    opt.dispose();
  }
  tf.dispose([y, x0, problem.lowY, problem.upsampled]);
  srm.dispose();
  cfm.dispose();
  return [
    `| tfjs WASM (autodiff, tf.train.adam) | ${ms.tfjs.toFixed(1)} | 1.00x |`,
    `| ONNX Runtime (hand-derived backward graphs, Adam in JS) | ${ms.onnx.toFixed(1)} | ${(ms.tfjs / ms.onnx).toFixed(2)}x |`,
  ];
}

interface RestoreRun {
  totalMs: number;
  unetMs: number;
  calls: number;
  prior: string;
  optimizer: string;
  pixels: Float32Array;
}

type RestorePath = 'tfjs' | 'onnx-unet' | 'onnx';
const PATH_LABEL: Record<RestorePath, string> = {
  tfjs: '(a) tfjs WASM only',
  'onnx-unet': '(b) ONNX denoiser + tfjs WASM optimiser',
  onnx: '(c) ONNX denoiser + ONNX optimiser',
};

/** PSNR between two 0..255 images. */
function psnr(a: Float32Array, b: Float32Array): number {
  const mse = a.reduce((s, v, i) => s + (v - b[i]) ** 2, 0) / a.length;
  return mse === 0 ? Infinity : 10 * Math.log10((255 * 255) / mse);
}

/**
 * A restore at 64 px on each path, alternating a, b, c, a, b, c (each after a 2-step warm-up);
 * each path's faster run is reported, against the same machine load.
 */
async function restoreRows(w: Weights, threads: number, steps: number, adamEpsilon: number | undefined): Promise<string[]> {
  const { restoreWithInfo } = await import('../packages/core/src/index.js');
  const lr = tf.tidy(() => tf.round(tf.randomUniform([16, 16, 3], 40, 215, 'float32', 7))) as import('@tensorflow/tfjs-core').Tensor3D;
  const tfjsPrior = UNet.fromStateDict(w.config, w.stateDict);
  const onnxPrior = await OnnxDenoiser.create(w.config, w.stateDict, { threads, executionProviders: ['cpu'] });
  const onnxOptimizer = (problem: Parameters<typeof OnnxContractionOptimizer.create>[0]) => OnnxContractionOptimizer.create(problem, { threads });
  const paths = {
    tfjs: { prior: tfjsPrior, optimizer: 'tfjs' },
    'onnx-unet': { prior: onnxPrior, optimizer: 'tfjs' },
    onnx: { prior: onnxPrior, optimizer: onnxOptimizer },
  } as const;
  const order: RestorePath[] = ['tfjs', 'onnx-unet', 'onnx'];
  const best: Partial<Record<RestorePath, RestoreRun>> = {};
  for (const kind of [...order, ...order]) {
    const { prior, optimizer } = paths[kind];
    await (await restoreWithInfo(lr, { prior, optimizer, steps: 2, seed: 1 })).output.dispose(); // warm-up
    const timed = new TimedDenoiser(prior);
    const { output, info } = await restoreWithInfo(lr, { prior: timed, optimizer, steps, seed: 1, adamEpsilon });
    const pixels = output.dataSync() as Float32Array;
    output.dispose();
    if (!best[kind] || info.timeMs < best[kind]!.totalMs) {
      best[kind] = { totalMs: info.timeMs, unetMs: timed.ms, calls: timed.calls, prior: info.prior, optimizer: info.optimizer, pixels };
    }
  }
  tfjsPrior.dispose();
  onnxPrior.dispose();
  lr.dispose();
  const reference = best.tfjs!;
  return order.map((kind) => {
    const r = best[kind]!;
    const outside = r.totalMs - r.unetMs;
    const meanDiff = r.pixels.reduce((s, v, i) => s + Math.abs(v - reference.pixels[i]), 0) / r.pixels.length;
    const maxDiff = r.pixels.reduce((m, v, i) => Math.max(m, Math.abs(v - reference.pixels[i])), 0);
    const vsTfjs = kind === 'tfjs' ? '-' : `${meanDiff.toFixed(4)} / ${maxDiff.toFixed(0)} / ${psnr(r.pixels, reference.pixels).toFixed(1)} dB`;
    return (
      `| ${PATH_LABEL[kind]} | ${r.prior} | ${r.optimizer} | ${r.calls} | ${(r.totalMs / 1000).toFixed(2)} s | ` +
      `${(r.unetMs / 1000).toFixed(2)} s | ${(outside / 1000).toFixed(2)} s (${((100 * outside) / r.totalMs).toFixed(0)}%) | ` +
      `${(reference.totalMs / r.totalMs).toFixed(2)}x | ${vsTfjs} |`
    );
  });
}

async function main(): Promise<void> {
  const threads = Number(option('threads', '2'));
  const childFile = option('child-memory', '');
  const wasm = req('@tensorflow/tfjs-backend-wasm') as typeof import('@tensorflow/tfjs-backend-wasm');
  if (childFile) {
    req('@tensorflow/tfjs-backend-cpu');
    await tf.setBackend('cpu');
    await memoryChild(childFile, option('weights', 'auto') as MemoryWeights, threads);
    return;
  }
  wasm.setThreadsCount(threads);
  await tf.setBackend('wasm');
  const { registerWasmTrainingKernels } = await import('../packages/backend-common/src/index.js');
  req('@tensorflow/tfjs-core/dist/register_all_gradients');
  registerWasmTrainingKernels();
  const repeats = Number(option('repeats', '3'));
  const steps = Number(option('steps', '100'));
  const adamEpsilon = option('adam-eps', '') === '' ? undefined : Number(option('adam-eps', ''));
  const iters = Number(option('iters', '10'));
  const names = option('configs', 'face64,ffhq256-p2').split(',');
  const dir = mkdtempSync(join(tmpdir(), 'difbfsr-bench-onnx-'));
  try {
    const all: Weights[] = [];
    let torchPeak: number | undefined;
    if (!flag('no-forward')) {
      console.log(`\nU-Net forward, batch 1, ${threads} threads everywhere, median of ${repeats} after a warm-up (ms per forward); ratios against the faster PyTorch run\n`);
      console.log(
        '| config | params | input | ONNX (weights as inputs) | ONNX (initializers) | tfjs WASM | PyTorch CPU (default / OMP passive) | ONNX inputs / PyTorch | ONNX init. / PyTorch | tfjs / PyTorch | max rel. diff vs PyTorch (inputs / init. / tfjs) |',
      );
      console.log('|---|---|---|---|---|---|---|---|---|---|---|');
    }
    for (const name of names) {
      const w = await weightsFor(name, dir);
      all.push(w);
      if (flag('no-forward')) continue;
      const { row, torchPeak: peak } = await forwardRow(w, dir, threads, repeats);
      console.log(row);
      if (name === 'ffhq256-p2') torchPeak = peak;
    }
    if (flag('chain')) {
      const chain = { threads, steps: Number(option('chain-steps', '4')), warmup: Number(option('chain-warmup', '3')), torch: !flag('no-torch') };
      for (const w of all) {
        // The same weights as a float16 checkpoint (`difbfsr convert --fp16`), which stays float16.
        const half = join(dir, `${basename(w.file, '.safetensors')}-fp16.safetensors`);
        const tensors = new Map(w.stateDict.names().map((n) => [n, { shape: [...w.stateDict.get(n).shape], data: w.stateDict.get(n).toFloat32() }]));
        await saveSafetensorsFile(half, tensors, { ...w.stateDict.metadata }, { fp16: true });
        for (const line of chainStepSection(w.label, w.config, { float32: w.file, float16: half }, chain)) console.log(line);
      }
    }
    const ffhq = all.find((w) => w.label.startsWith('ffhq256-p2'));
    if (ffhq && !flag('no-memory')) {
      const fp32 = (4 * unetParamCount(ffhq.config)) / MiB;
      console.log(`\nRSS (MiB) of a fresh Node process: load ffhq256-p2 (float32 weights ${fp32.toFixed(0)} MiB) from safetensors, open the ONNX denoiser, one 256x256 forward\n`);
      console.log('| weights | glibc malloc | baseline | loaded | created (JS ArrayBuffers) | peak while creating | after forward | peak | peak / weights | (peak - baseline) / weights | PyTorch peak (same file) |');
      console.log('|---|---|---|---|---|---|---|---|---|---|---|');
      for (const tuned of [false, true]) {
        for (const mode of ['auto', 'initializers'] as const) console.log(memoryRow(ffhq.file, ffhq.config, mode, tuned, threads, torchPeak));
      }
    }
    if (!flag('no-update')) {
      console.log(`\nOne SRM+CFM update at 64 px (x4, 16->64; SRM step, y_hat recomputed, CFM step, fusion), ${threads} threads, median of ${iters}\n`);
      console.log('| optimiser | ms per update | speed-up |');
      console.log('|---|---|---|');
      for (const row of await updateRows(threads, iters)) console.log(row);
    }
    const face = all.find((w) => w.label.startsWith('face64'));
    if (face && !flag('no-restore')) {
      console.log(`\nDefault restore at 64 px (16x16 input, x4), steps ${steps}${steps === 100 ? ' (the default)' : ' (default 100)'}, seed 1${adamEpsilon === undefined ? '' : `, Adam epsilon ${adamEpsilon}`}, ${face.label}, ${threads} threads\n`);
      console.log('| path | prior | optimiser | U-Net calls | total | in U-Net calls | outside U-Net calls | speed-up vs (a) | vs (a): mean / max abs diff (0..255), PSNR |');
      console.log('|---|---|---|---|---|---|---|---|---|');
      for (const row of await restoreRows(face, threads, steps, adamEpsilon)) console.log(row);
    }
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

await main();
