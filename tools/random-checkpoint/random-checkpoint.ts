/**
 * Write a checkpoint with the exact tensor list of a public one (names, shapes and order, from a
 * manifest of ../shared/fixtures/checkpoint-manifests) and seeded random weights, for tests and
 * benchmarks of the public checkpoints' architectures: their real files cannot be fetched here.
 *
 *   node --import tsx tools/random-checkpoint/random-checkpoint.ts <manifest.json> <out.pt|out.pth|out.safetensors>
 *       [--seed 1] [--prefix module.] [--wrap state_dict]
 *
 * Weights as `UNet.random` draws them (PyTorch's default bound ±1/sqrt(fan_in), GroupNorm scales in
 * [0.5, 1.5), biases in ±0.1), float32. `.pt`/`.pth`: a `torch.save` zip archive (streamed to disk,
 * one tensor in memory at a time), optionally with every name prefixed (`--prefix module.`, as
 * DataParallel saves) and wrapped in a dict (`--wrap state_dict`); `.safetensors` otherwise.
 * Write large files to a git-ignored folder (`.cache/`) or a temporary one: ffhq256-p2 is 374 MB.
 */
import { closeSync, openSync, readFileSync, renameSync, rmSync, writeSync } from 'node:fs';
import { saveSafetensorsFile, torchZipChunks, type SaveableTensor } from '../../packages/models/src/index.js';
import { randomTorchReader } from '../../packages/models/src/unet/random-weights.js';

/** A checkpoint manifest: the tensor list of a public checkpoint in state_dict order. */
interface Manifest {
  name?: string;
  params: number;
  tensors: Array<[string, number[]]>;
}

function option(name: string): string | undefined {
  const i = process.argv.indexOf(`--${name}`);
  return i >= 0 ? process.argv[i + 1] : undefined;
}

function usage(message: string): never {
  console.error(`random-checkpoint: ${message}\nusage: random-checkpoint.ts <manifest.json> <out.pt|out.pth|out.safetensors> [--seed 1] [--prefix module.] [--wrap state_dict]`);
  process.exit(2);
}

/** The manifest's tensors, each drawn when it is written (in manifest order, so the seed fixes every value). */
function randomTensors(manifest: Manifest, seed: number, prefix: string): Map<string, SaveableTensor> {
  const draw = randomTorchReader(seed);
  return new Map(manifest.tensors.map(([name, shape]) => [`${prefix}${name}`, { shape, dtype: 'float32', dataSync: () => draw(name, shape) }]));
}

/** Stream a `torch.save` zip archive to `path` (written beside it, then renamed). */
function writeTorchZip(path: string, tensors: Map<string, SaveableTensor>, wrap: string | undefined): void {
  const tmp = `${path}.tmp-${process.pid}`;
  const fd = openSync(tmp, 'w');
  try {
    for (const chunk of torchZipChunks(tensors, wrap ? { wrap: { key: wrap } } : {})) {
      for (let done = 0; done < chunk.byteLength; ) done += writeSync(fd, chunk, done);
    }
    closeSync(fd);
    renameSync(tmp, path);
  } catch (err) {
    closeSync(fd);
    rmSync(tmp, { force: true });
    throw err;
  }
}

const [manifestPath, out] = process.argv.slice(2).filter((a, i, all) => !a.startsWith('--') && !all[i - 1]?.startsWith('--'));
if (!manifestPath || !out) usage('give a manifest and an output file');
const manifest = JSON.parse(readFileSync(manifestPath, 'utf8')) as Manifest;
if (!Array.isArray(manifest.tensors)) usage(`${manifestPath} has no "tensors" list`);
const seed = Number(option('seed') ?? '1');
if (!Number.isInteger(seed)) usage(`--seed must be an integer, got ${option('seed')}`);
const prefix = option('prefix') ?? '';
const wrap = option('wrap');
const tensors = randomTensors(manifest, seed, prefix);
const started = performance.now();
if (/\.(pt|pth|ckpt)$/i.test(out)) writeTorchZip(out, tensors, wrap);
else if (prefix || wrap) usage('--prefix and --wrap apply to PyTorch (.pt, .pth) outputs');
else await saveSafetensorsFile(out, tensors);
const params = manifest.tensors.reduce((n, [, s]) => n + s.reduce((a, b) => a * b, 1), 0);
console.error(`wrote ${out}: ${manifest.name ?? manifestPath}, ${manifest.tensors.length} tensors, ${params} parameters, seed ${seed} (${((performance.now() - started) / 1000).toFixed(1)} s)`);
