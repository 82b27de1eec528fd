/**
 * Checkpoint loading memory benchmark.
 *
 *   node --import tsx bench/checkpoint-load.ts [--keep] [--manifest <path>]
 *
 * Generates a ~370 MB float32 safetensors file and a ~370 MB torch.save-style zip with the
 * ffhq256-p2 tensor list (random values) in a temp dir, then loads each in a fresh child process
 * (to Float32Arrays, to tfjs tensors on the cpu backend, and from an in-memory ArrayBuffer as in a
 * browser) and prints peak RSS minus baseline RSS against the file size N as a markdown table.
 */
import { spawnSync } from 'node:child_process';
import { closeSync, mkdtempSync, openSync, readFileSync, rmSync, statSync, writeSync } from 'node:fs';
import { createRequire } from 'node:module';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { loadCheckpoint, saveSafetensorsFile, torchZipChunks, type TensorEntry } from '../packages/models/src/index.js';

const MB = 1e6;
const here = fileURLToPath(import.meta.url);
const argv = process.argv.slice(2);

type Mode = 'f32' | 'tf-cpu' | 'buffer-f32';

async function child(file: string, mode: Mode): Promise<void> {
  const gc = (globalThis as { gc?: () => void }).gc;
  let tf: typeof import('@tensorflow/tfjs-core') | undefined;
  if (mode === 'tf-cpu') {
    const req = createRequire(new URL('../packages/models/package.json', import.meta.url));
    tf = req('@tensorflow/tfjs-core') as typeof import('@tensorflow/tfjs-core');
    req('@tensorflow/tfjs-backend-cpu');
    await tf.setBackend('cpu');
    await tf.ready();
    tf.tensor([1, 2, 3]).dispose();
  }
  // warm the code paths on a tiny checkpoint so JIT/compile memory is in the baseline
  {
    const { saveSafetensors, saveTorchZip } = await import('../packages/models/src/index.js');
    const t = { w: { shape: [4], data: Float32Array.from([1, 2, 3, 4]) } };
    for (const b of [saveSafetensors(t), saveTorchZip(t)]) (await loadCheckpoint(b)).get('w').toFloat32();
  }
  gc?.();
  await new Promise((r) => setTimeout(r, 50));
  gc?.();
  const base = process.memoryUsage().rss;
  const t0 = performance.now();
  const keep: unknown[] = [];
  let source: string | Uint8Array = file;
  if (mode === 'buffer-f32') source = readFileSync(file); // browser-like: the whole file in memory (a Uint8Array, no copy)
  const sd = await loadCheckpoint(source, { cacheDir: false });
  let outBytes = 0;
  for (const n of sd.names()) {
    const e = sd.get(n);
    const f = e.toFloat32();
    outBytes += f.byteLength;
    keep.push(tf ? tf.tensor(f, [...e.shape]) : f);
  }
  const ms = performance.now() - t0;
  const peak = process.resourceUsage().maxRSS * 1024;
  process.stdout.write(`${JSON.stringify({ base, peak, outBytes, ms, tensors: keep.length, format: sd.format })}\n`);
}

function* randomTensors(manifest: { tensors: Array<[string, number[]]> }): Generator<[string, TensorEntry]> {
  let s = 0x9e3779b9;
  for (const [name, shape] of manifest.tensors) {
    const size = shape.reduce((a, b) => a * b, 1);
    const gen = (): Float32Array => {
      const f = new Float32Array(size);
      for (let i = 0; i < size; i++) {
        s ^= s << 13;
        s ^= s >>> 17;
        s ^= s << 5;
        f[i] = (s >>> 0) / 4294967296 - 0.5;
      }
      return f;
    };
    yield [
      name,
      { name, dtype: 'float32', shape, size, byteLength: size * 4, toFloat32: gen, bytes: () => new Uint8Array(gen().buffer) },
    ];
  }
}

async function main(): Promise<void> {
  const mi = argv.indexOf('--manifest');
  const manifestPath =
    mi >= 0 ? argv[mi + 1] : fileURLToPath(new URL('../../shared/fixtures/checkpoint-manifests/ffhq256-p2.json', import.meta.url));
  const manifest = JSON.parse(readFileSync(manifestPath, 'utf8')) as { name?: string; params: number; tensors: Array<[string, number[]]> };
  const dir = mkdtempSync(join(tmpdir(), 'difbfsr-bench-'));
  try {
    const st = join(dir, 'ffhq256-p2.safetensors');
    const pt = join(dir, 'ffhq256-p2.pt');
    let t0 = performance.now();
    await saveSafetensorsFile(st, new Map(randomTensors(manifest)));
    const fd = openSync(pt, 'w');
    try {
      for (const chunk of torchZipChunks(new Map(randomTensors(manifest)), { archiveName: 'ffhq256-p2' })) {
        let o = 0;
        while (o < chunk.byteLength) o += writeSync(fd, chunk, o);
      }
    } finally {
      closeSync(fd);
    }
    process.stderr.write(`generated ${manifest.tensors.length} tensors (${manifest.params} params) twice in ${((performance.now() - t0) / 1000).toFixed(1)} s\n`);

    const rows: string[] = [];
    for (const [file, label] of [
      [st, 'safetensors'],
      [pt, 'torch zip (.pt)'],
    ] as const) {
      const N = statSync(file).size;
      for (const [mode, what] of [
        ['f32', 'file path → Float32Arrays'],
        ['tf-cpu', 'file path → tf tensors (cpu)'],
        ['buffer-f32', 'ArrayBuffer → Float32Arrays'],
      ] as const) {
        t0 = performance.now();
        const r = spawnSync(process.execPath, [...process.execArgv, '--expose-gc', here, '--child', file, mode], {
          encoding: 'utf8',
          maxBuffer: 1 << 20,
        });
        if (r.status !== 0) throw new Error(`child failed (${mode} ${file}): ${r.stderr}`);
        const j = JSON.parse(r.stdout.trim().split('\n').pop()!) as { base: number; peak: number; outBytes: number; ms: number; tensors: number };
        const delta = j.peak - j.base;
        const over = delta - j.outBytes - (mode === 'buffer-f32' ? N : 0);
        rows.push(
          `| ${label} | ${what} | ${(N / MB).toFixed(1)} | ${(delta / MB).toFixed(1)} | ${(delta / N).toFixed(2)} | ${(over / MB).toFixed(1)} | ${(j.ms / 1000).toFixed(2)} |`,
        );
      }
    }
    const lines = [
      `Checkpoint loading, ${manifest.name ?? 'ffhq256-p2'} tensor list (${manifest.tensors.length} tensors, ${manifest.params.toLocaleString('en-US')} float32 parameters, random values); Node ${process.version}, ${process.platform}-${process.arch}.`,
      'Peak = maxRSS of a fresh process minus its RSS just before loading; the decoded float32 output (≈ N) is part of the peak.',
      '"Overhead" = peak − decoded output (− the input buffer for the ArrayBuffer rows, which the caller holds).',
      '',
      '| file | load | N (MB) | peak RSS − baseline (MB) | peak / N | loader overhead (MB) | time (s) |',
      '|---|---|---:|---:|---:|---:|---:|',
      ...rows,
    ];
    process.stdout.write(`${lines.join('\n')}\n`);
  } finally {
    if (!argv.includes('--keep')) rmSync(dir, { recursive: true, force: true });
    else process.stderr.write(`kept ${dir}\n`);
  }
}

if (argv[0] === '--child') await child(argv[1], argv[2] as Mode);
else await main();
