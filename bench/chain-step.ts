/**
 * One DifBFSR chain step at a prior's native size (256 px for ffhq256-p2), split into the U-Net
 * call and the SRM/CFM work, on ONNX Runtime (CPU) against PyTorch doing the same step on the same
 * weights and machine, with peak RSS: the section `pnpm bench onnx --chain` prints.
 *
 * ONNX Runtime: bench/chain-step-child.ts, a restore() in a fresh process (its peak RSS counts
 * loading, the sessions and the chain). PyTorch: bench/chain_step_torch.py (same U-Net module as
 * bench/unet_forward_torch.py, SRM/CFM/loss/Adam as packages/core builds them), run as configured
 * and with OMP_WAIT_POLICY=PASSIVE; the faster step is the reference. Medians over the steps after
 * the first (which also opens sessions and warms caches).
 */
import { spawnSync } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { EXACT_ALLOCATION_TUNABLES } from '../packages/backend-node/src/cli/malloc-setting.js';
import { unetParamCount, type UNetConfig } from '../packages/models/src/index.js';
import type { ChainStepRun } from './chain-step-child.js';
import { torchConfig } from './torch-config.js';

export interface ChainStepOptions {
  threads: number;
  /** Chain steps to run (the first is not counted). */
  steps: number;
  /** SRM warm-up iterations to time (the first is not counted). */
  warmup: number;
  /** Run the PyTorch reference. */
  torch: boolean;
}

/** Per-step medians (ms) of one runtime, and its peak RSS (MiB). */
interface StepParts {
  /** RSS (MiB) at the stages of the ONNX Runtime run: baseline, U-Net session open, warmed up, first step, end. */
  stages?: number[];
  unet: number;
  contraction: number;
  rest: number;
  step: number;
  warmup?: number;
  peakMiB?: number;
  baselineMiB?: number;
  /** The first U-Net call (ms; it also sets up the session's kernels). */
  firstUnet?: number;
}

interface TorchOutput {
  torch: string;
  median_ms: { unet: number; contraction: number; posterior: number; step: number };
  warmup_ms: number | null;
  peak_rss_mib: number;
}

const median = (xs: number[]): number => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)];
const lastLine = (text: string): string => text.trim().split('\n').pop() ?? '';

/** glibc's setting under which every session allocates exactly (`exactAllocation` in @difbfsr/onnx). */
export const FIXED_MMAP_THRESHOLD = { MALLOC_MMAP_THRESHOLD_: `${2 ** 20}` };
/**
 * The same threshold with glibc's transparent-huge-page hint on the blocks it maps (glibc >= 2.35):
 * what `difbfsr restore --model` sets. Each run still maps its blocks afresh, in 2 MiB pages
 * instead of 4 KiB ones, so with 512x fewer page faults.
 */
export const FIXED_MMAP_THRESHOLD_HUGE_PAGES = { GLIBC_TUNABLES: EXACT_ALLOCATION_TUNABLES };

function onnxRun(file: string, o: ChainStepOptions, extraEnv: Record<string, string> = {}): StepParts {
  const child = fileURLToPath(new URL('chain-step-child.ts', import.meta.url));
  const args = ['--import', 'tsx', child, file, '--threads', `${o.threads}`, '--steps', `${o.steps}`, '--warmup', `${o.warmup}`];
  const r = spawnSync(process.execPath, args, { encoding: 'utf8', maxBuffer: 1 << 20, env: { ...process.env, ...extraEnv } });
  if (r.status !== 0) throw new Error(`chain-step-child.ts failed: ${lastLine(r.stderr)}`);
  const run = JSON.parse(lastLine(r.stdout)) as ChainStepRun;
  // Step k (k >= 2) spans from report k - 1 to report k: U-Net call k and update k fall in it.
  const rest = run.stepMs.map((ms, i) => ms - run.unetMs[i + 1] - run.contractionMs[i + 1]);
  return {
    unet: median(run.unetMs.slice(1)),
    contraction: median(run.contractionMs.slice(1)),
    rest: median(rest),
    step: median(run.stepMs),
    warmup: run.warmupMs.length > 1 ? median(run.warmupMs.slice(1)) : undefined,
    peakMiB: run.peakMiB,
    baselineMiB: run.baselineMiB,
    stages: [run.baselineMiB, run.createdMiB, run.warmedUpMiB, run.firstStepMiB, run.endMiB],
    firstUnet: run.unetMs[0],
  };
}

function torchRun(file: string, config: UNetConfig, o: ChainStepOptions, extraEnv: Record<string, string>): StepParts & { version: string } {
  const script = fileURLToPath(new URL('chain_step_torch.py', import.meta.url));
  const args = [script, file, torchConfig(config), '--threads', `${o.threads}`, '--steps', `${o.steps}`, '--warmup', `${o.warmup}`];
  const env = { ...process.env, OMP_NUM_THREADS: `${o.threads}`, OPENBLAS_NUM_THREADS: `${o.threads}`, ...extraEnv };
  const r = spawnSync('/usr/bin/python3', args, { encoding: 'utf8', env, maxBuffer: 1 << 20 });
  if (r.error || r.status !== 0) throw new Error(`chain_step_torch.py failed: ${r.error?.message ?? lastLine(r.stderr)}`);
  const out = JSON.parse(lastLine(r.stdout)) as TorchOutput;
  const m = out.median_ms;
  return { version: out.torch, unet: m.unet, contraction: m.contraction, rest: m.posterior, step: m.step, warmup: out.warmup_ms ?? undefined, peakMiB: out.peak_rss_mib };
}

function row(label: string, p: StepParts, weightsMiB: number): string {
  const ms = (x: number | undefined): string => (x === undefined ? 'n/a' : x.toFixed(0));
  const share = `${((100 * p.contraction) / p.step).toFixed(1)}%`;
  const peak = p.peakMiB === undefined ? 'n/a' : `${p.peakMiB.toFixed(0)} (${(p.peakMiB / weightsMiB).toFixed(2)}x)`;
  const overBaseline = p.peakMiB === undefined || p.baselineMiB === undefined ? 'n/a' : `${((p.peakMiB - p.baselineMiB) / weightsMiB).toFixed(2)}x`;
  return `| ${label} | ${ms(p.unet)} | ${ms(p.contraction)} | ${ms(p.rest)} | ${ms(p.step)} | ${share} | ${ms(p.warmup)} | ${peak} | ${overBaseline} |`;
}

/**
 * The markdown of the section for one set of weights: `files.float32` (safetensors PyTorch can read
 * too) and the same weights as a float16 checkpoint, `files.float16`.
 */
export function chainStepSection(label: string, config: UNetConfig, files: { float32: string; float16: string }, o: ChainStepOptions): string[] {
  const file = files.float32;
  const weightsMiB = (4 * unetParamCount(config)) / 2 ** 20;
  const huge = `GLIBC_TUNABLES=${FIXED_MMAP_THRESHOLD_HUGE_PAGES.GLIBC_TUNABLES}`;
  const size = config.image_size;
  const onnx = onnxRun(file, o);
  const exact = onnxRun(file, o, FIXED_MMAP_THRESHOLD);
  const exactHuge = onnxRun(file, o, FIXED_MMAP_THRESHOLD_HUGE_PAGES);
  const half = onnxRun(files.float16, o);
  const halfExact = onnxRun(files.float16, o, FIXED_MMAP_THRESHOLD);
  const halfExactHuge = onnxRun(files.float16, o, FIXED_MMAP_THRESHOLD_HUGE_PAGES);
  const lines = [
    `\nOne chain step at ${size} px (${size / 4}x${size / 4} input, x4), ${label}, float32 weights ${weightsMiB.toFixed(0)} MiB, ${o.threads} threads; ` +
      `medians of steps 2-${o.steps} and warm-up iterations 2-${o.warmup} (ms); peak RSS of the whole process (MiB)\n`,
    '| runtime | U-Net call | SRM/CFM updates + fusion | rest of the step | step | SRM/CFM share | SRM warm-up iteration | peak RSS (x weights) | (peak − baseline) / weights |',
    '|---|---|---|---|---|---|---|---|---|',
    row('ONNX Runtime, CPU (this repository)', onnx, weightsMiB),
    row('the same, MALLOC_MMAP_THRESHOLD_=1048576 (no arenas: exact allocation)', exact, weightsMiB),
    row(`the same, ${huge} (exact allocation in huge pages)`, exactHuge, weightsMiB),
    row('a float16 checkpoint of the same weights (kept float16, cast layer by layer)', half, weightsMiB),
    row('float16 checkpoint, MALLOC_MMAP_THRESHOLD_=1048576', halfExact, weightsMiB),
    row(`**float16 checkpoint, ${huge} (the low-memory setting)**`, halfExactHuge, weightsMiB),
  ];
  const stagesOf = (p: StepParts): string => {
    const s = p.stages!.map((m) => m.toFixed(0));
    return `baseline ${s[0]}, U-Net session open ${s[1]}, after ${o.warmup} SRM warm-up iterations ${s[2]}, after the first chain step ${s[3]}, at the end ${s[4]}, peak ${p.peakMiB!.toFixed(0)}`;
  };
  const notes = [
    `\nONNX Runtime's RSS (MiB) at each stage: ${stagesOf(onnx)}; with the fixed mmap threshold: ${stagesOf(exact)}; ` +
      `with it in huge pages: ${stagesOf(exactHuge)}; float16 checkpoint: ${stagesOf(half)}; float16 with the fixed threshold: ${stagesOf(halfExact)}; ` +
      `float16 with it in huge pages: ${stagesOf(halfExactHuge)}. First U-Net call (ms), in the order of the rows: ` +
      `${[onnx, exact, exactHuge, half, halfExact, halfExactHuge].map((p) => p.firstUnet!.toFixed(0)).join(' / ')}. Peak RSS is against the float32 weights in every row.`,
  ];
  if (!o.torch) return [...lines, ...notes];
  const active = torchRun(file, config, o, {});
  const passive = torchRun(file, config, o, { OMP_WAIT_POLICY: 'PASSIVE' });
  const torch = passive.step < active.step ? passive : active;
  lines.push(row(`PyTorch ${torch.version} CPU (default OMP ${active.step.toFixed(0)} / passive ${passive.step.toFixed(0)} ms a step; the faster)`, torch, weightsMiB));
  const ratio = (a: number, b: number): string => `${(a / b).toFixed(2)}x`;
  lines.push(
    `| ONNX Runtime / PyTorch | ${ratio(onnx.unet, torch.unet)} | ${ratio(onnx.contraction, torch.contraction)} | | ${ratio(onnx.step, torch.step)} | | ` +
      `${onnx.warmup && torch.warmup ? ratio(onnx.warmup, torch.warmup) : 'n/a'} | ${onnx.peakMiB && torch.peakMiB ? ratio(onnx.peakMiB, torch.peakMiB) : 'n/a'} | |`,
  );
  return [...lines, ...notes];
}
