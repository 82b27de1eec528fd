/**
 * glibc's malloc setting of `difbfsr restore`: every block of 1 MiB or more mapped and unmapped
 * exactly (`mmap_threshold`), in transparent huge pages (`hugetlb`, glibc 2.35 or later). Under a
 * fixed threshold `@difbfsr/onnx` runs its sessions without arenas (`exactAllocation`), so they take
 * turns with the same memory; the huge pages keep that as fast as the arenas. A 256 px restore
 * (`ffhq256-p2`, `pnpm bench onnx --chain`): peak RSS 1072 -> 761 MiB with float32 weights, 605 MiB
 * with a float16 checkpoint, at the same time per step (docs/benchmarks.md).
 */
export const EXACT_ALLOCATION_TUNABLES = 'glibc.malloc.mmap_threshold=1048576:glibc.malloc.hugetlb=1';

/** Set to `default` to keep `difbfsr restore` in the process it started in, with glibc's own malloc setting. */
export const ALLOCATION_ENV = 'DIFBFSR_ALLOCATION';

let glibc: boolean | undefined;

/** True when this Node.js process runs on glibc (Linux; not musl, macOS or Windows). Asked once. */
export function runsOnGlibc(): boolean {
  if (glibc === undefined) {
    const report = process.report?.getReport() as { header?: { glibcVersionRuntime?: string } } | undefined;
    glibc = typeof report?.header?.glibcVersionRuntime === 'string';
  }
  return glibc;
}

/** The malloc setting the environment gives, as the restore report shows it: the variables that set it, or `default`. */
export function mallocSetting(env: NodeJS.ProcessEnv): string {
  const set = [
    ...(env.MALLOC_MMAP_THRESHOLD_ !== undefined ? [`MALLOC_MMAP_THRESHOLD_=${env.MALLOC_MMAP_THRESHOLD_}`] : []),
    ...(/glibc\.malloc\./.test(env.GLIBC_TUNABLES ?? '') ? [`GLIBC_TUNABLES=${env.GLIBC_TUNABLES}`] : []),
  ];
  return set.length > 0 ? set.join(' ') : 'default';
}

/** The `--model` of a command line, if any (`--model x` or `--model=x`). */
function modelArgument(args: readonly string[]): string | undefined {
  const i = args.findIndex((a) => a === '--model' || a.startsWith('--model='));
  return i < 0 ? undefined : args[i].startsWith('--model=') ? args[i].slice('--model='.length) : args[i + 1];
}

/**
 * The environment to run `difbfsr <args>` in again, with {@link EXACT_ALLOCATION_TUNABLES} added
 * (glibc reads them only when a process starts), or undefined to run it here: for `restore` with a
 * checkpoint (`--model`, not `bundled`) on glibc, unless the environment sets malloc already or
 * {@link ALLOCATION_ENV} is `default`. The bundled 64 px prior stays in place: its restore needs
 * about 0.5 GB either way and took 10-20% longer without arenas (2 runs each: 15.8-16.0 s against
 * 13.5-14.7 s, the README's face on 2 loaded cores).
 */
export function relaunchEnvironment(args: readonly string[], env: NodeJS.ProcessEnv, onGlibc: () => boolean = runsOnGlibc): NodeJS.ProcessEnv | undefined {
  const model = modelArgument(args);
  if (args[0] !== 'restore' || model === undefined || model === 'bundled') return undefined;
  if (env[ALLOCATION_ENV] === 'default' || mallocSetting(env) !== 'default' || !onGlibc()) return undefined;
  const tunables = env.GLIBC_TUNABLES ? `${env.GLIBC_TUNABLES}:${EXACT_ALLOCATION_TUNABLES}` : EXACT_ALLOCATION_TUNABLES;
  return { ...env, GLIBC_TUNABLES: tunables };
}
