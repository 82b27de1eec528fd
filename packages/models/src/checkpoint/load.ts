import { DifbfsrError } from '@difbfsr/core';
import { looksLikeSafetensors, readSafetensors } from './safetensors.js';
import { env, isNode, openSource, type ByteSource, type CheckpointSource } from './source.js';
import type { StateDict } from './types.js';

/** Options of {@link loadCheckpoint}. */
export interface LoadCheckpointOptions {
  /** Force a container format instead of sniffing the first bytes. */
  format?: 'auto' | 'safetensors' | 'pytorch';
  /**
   * PyTorch files: the key of the wrapper dict that holds the state dict (e.g. `'ema'`). By default
   * the top level is used when it holds tensors, else the first of `state_dict`, `model_state_dict`,
   * `model`, `ema`, `params_ema`, `params`, `net`, `module` that holds tensors.
   */
  key?: string;
  /** Prefixes removed when *every* tensor name has them (default `['module.']`); `false` keeps names. */
  stripPrefix?: readonly string[] | false;
  /** `RequestInit` for URL sources fetched with `fetch`. */
  fetchInit?: RequestInit;
  /**
   * Node: directory of the weight cache. A PyTorch checkpoint is converted once to safetensors
   * there (keyed by path + size + mtime, or by a hash of the ZIP directory for buffers) and later
   * loads read the converted file without parsing the pickle. Defaults to `$DIFBFSR_CACHE_DIR`;
   * `false` disables the cache. safetensors sources are read directly and never cached.
   */
  cacheDir?: string | false;
  /** dtype of cached conversions: as stored (`'keep'`, default), `'float32'` or `'float16'`. */
  cacheDType?: 'keep' | 'float32' | 'float16';
}

/** The cache directory in effect for these options (Node only), or undefined. */
export function resolveCacheDir(options: LoadCheckpointOptions): string | undefined {
  if (options.cacheDir === false || !isNode()) return undefined;
  const dir = options.cacheDir ?? env('DIFBFSR_CACHE_DIR');
  return dir ? dir : undefined;
}

/** Sniffed container format of the first bytes. */
export type SniffedFormat = 'safetensors' | 'pytorch' | 'pytorch-legacy' | 'unknown';

/** Guess the format from the first (up to 16) bytes. */
export function sniffFormat(head: Uint8Array): SniffedFormat {
  if (head.byteLength >= 4 && head[0] === 0x50 && head[1] === 0x4b && (head[2] === 3 || head[2] === 5) && (head[3] === 4 || head[3] === 6)) {
    return 'pytorch';
  }
  if (head.byteLength >= 2 && head[0] === 0x80 && head[1] >= 2 && head[1] <= 5) return 'pytorch-legacy';
  if (looksLikeSafetensors(head)) return 'safetensors';
  return 'unknown';
}

/**
 * Load a checkpoint (safetensors, or a PyTorch `.pt`/`.pth`/`.ckpt` zip archive) as a {@link StateDict}.
 *
 * `source` is a file path or `file:` URL (Node; the file is read at offsets and tensors lazily, so it
 * is never held in memory), an `http(s):` URL (fetched), or the bytes. Nothing in the file is executed:
 * PyTorch pickles go through an allow-list interpreter that only rebuilds dicts, lists, tuples,
 * scalars and tensors.
 */
export async function loadCheckpoint(source: CheckpointSource, options: LoadCheckpointOptions = {}): Promise<StateDict> {
  const src = await openSource(source, options.fetchInit);
  try {
    return await readCheckpoint(src, options);
  } finally {
    await src.close();
  }
}

/** {@link loadCheckpoint} on an opened {@link ByteSource}. */
export async function readCheckpoint(src: ByteSource, options: LoadCheckpointOptions = {}): Promise<StateDict> {
  if (src.size === 0) throw new DifbfsrError('CHECKPOINT_FORMAT', `${src.label}: empty file, not a checkpoint`);
  const cacheDir = resolveCacheDir(options);
  if (cacheDir && src.file) {
    // Files are keyed by path + size + mtime: a hit needs no byte of the file.
    const { lookupCache } = await import('./checkpoint-file.node.js');
    const hit = await lookupCache(src, cacheDir, options);
    if (hit) return hit;
  }
  const head = await src.read(0, Math.min(16, src.size));
  const format = options.format && options.format !== 'auto' ? options.format : sniffFormat(head);
  switch (format) {
    case 'safetensors':
      return readSafetensors(src);
    case 'pytorch': {
      const { readPytorch } = await import('./pytorch.js');
      if (cacheDir) {
        const { loadViaCache } = await import('./checkpoint-file.node.js');
        return loadViaCache(src, cacheDir, options, () => readPytorch(src, options));
      }
      return readPytorch(src, options);
    }
    case 'pytorch-legacy':
      throw new DifbfsrError(
        'CHECKPOINT_FORMAT',
        `${src.label}: legacy (pre-1.6, non-zip) torch.save format is not supported; re-save it with torch>=1.6 (torch.save(torch.load(f), f2)) or convert it to safetensors`,
      );
    default:
      throw new DifbfsrError(
        'CHECKPOINT_FORMAT',
        `${src.label}: not a checkpoint (neither safetensors nor a PyTorch zip archive; first bytes ${[...head.subarray(0, 8)].map((b) => b.toString(16).padStart(2, '0')).join(' ')})`,
      );
  }
}
