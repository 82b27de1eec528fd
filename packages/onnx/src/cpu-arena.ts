import { isNodeRuntime } from './runtime.js';

let glibc: boolean | undefined;

/** True when this Node.js process runs on glibc (Linux; not musl, macOS or Windows). Asked once. */
function runsOnGlibc(): boolean {
  if (glibc === undefined) {
    const report = process.report?.getReport() as { header?: { glibcVersionRuntime?: string } } | undefined;
    glibc = typeof report?.header?.glibcVersionRuntime === 'string';
  }
  return glibc;
}

/** glibc settings that fix malloc's mmap threshold, read by glibc when the process started. */
function fixedMmapThreshold(env: NodeJS.ProcessEnv): boolean {
  return env.MALLOC_MMAP_THRESHOLD_ !== undefined || /glibc\.malloc\.mmap_threshold=/.test(env.GLIBC_TUNABLES ?? '');
}

/**
 * Whether a native CPU session takes its activations from onnxruntime's arena (without the memory
 * pattern, which would add a second, arena-sized block) instead of one malloc per tensor.
 *
 * glibc's malloc serves blocks below its mmap threshold (which rises to 32 MiB as large blocks are
 * freed) from the heap, and does not give a freed block to an aligned request of the same size
 * (the request is padded for the alignment): in the first 256 px forward of `ffhq256-p2` the heap
 * grows by about 280 MiB while at most 64 MiB of such blocks are alive. The arena maps regions of
 * power-of-two sizes once and reuses them (256 MiB for that forward's 192 MiB of live
 * activations): peak RSS 2.18x the float32 weights instead of 2.79x (bench/onnx.ts). With a fixed
 * threshold (`MALLOC_MMAP_THRESHOLD_`) each block is mapped and unmapped exactly, which beats the
 * arena (2.04x); other platforms' allocators return large blocks when they are freed.
 * @param env the environment the process started with (default `process.env`).
 */
export function activationsFromArena(env: NodeJS.ProcessEnv = process.env): boolean {
  return isNodeRuntime() && runsOnGlibc() && !fixedMmapThreshold(env);
}

/**
 * Whether every large block is mapped and unmapped exactly (glibc with a fixed mmap threshold, set
 * when the process started): then the SRM/CFM sessions go without an arena too, so that the
 * sessions take turns with the same memory instead of each keeping its arena. At 256 px
 * (`ffhq256-p2`, `pnpm bench onnx --chain`) the restore's peak RSS falls from 3.00x the weights
 * to 2.13x. Every run maps its blocks afresh: in 4 KiB pages the steps take 1.8x as long; with
 * glibc's huge-page hint (`glibc.malloc.hugetlb=1` in `GLIBC_TUNABLES`, which `difbfsr restore`
 * sets for checkpoints) they are as fast as with arenas.
 * @param env the environment the process started with (default `process.env`).
 */
export function exactAllocation(env: NodeJS.ProcessEnv = process.env): boolean {
  return isNodeRuntime() && runsOnGlibc() && fixedMmapThreshold(env);
}

