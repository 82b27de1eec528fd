/**
 * PyTorch checkpoints (`torch.save` zip archives: `.pt`, `.pth`, `.ckpt`, `.bin`).
 *
 * `<archive>/data.pkl` is run through the allow-list interpreter of `pickle.ts`; tensors become
 * {@link LazyTensor}s over the stored `<archive>/data/<key>` entries, so a file source is read at
 * offsets and never held in memory.
 */
import { DifbfsrError } from '@difbfsr/core';
import { isDim } from './dtype.js';
import type { LoadCheckpointOptions } from './load.js';
import { clean, PyDict, PyGlobal, PySet, PyTuple, typeName, unpickle } from './pickle.js';
import { memorySource, type ByteSource } from './source.js';
import { LazyTensor, MapStateDict } from './statedict.js';
import { DTYPE_BYTES, type CheckpointDType, type StateDict, type TensorEntry } from './types.js';
import { checkEntryReadable, entryDataOffset, readEntry, readZipDirectory, type ZipDirectory, type ZipEntry } from './zip.js';

/** A storage referenced by a persistent id. */
export class TorchStorage {
  constructor(
    readonly key: string,
    readonly dtype: CheckpointDType,
    readonly numel: number,
    readonly location: string,
  ) {}
}

/** A tensor rebuilt by `_rebuild_tensor_v2` (a view into a storage). */
export class TorchTensor {
  /** BUILD on a tensor (tensor subclass state) is accepted and ignored. */
  readonly acceptsBuild = true;
  constructor(
    readonly storage: TorchStorage,
    readonly storageOffset: number,
    readonly shape: number[],
    readonly stride: number[],
  ) {}
}

/** Storage classes allowed in persistent ids. */
export const STORAGE_DTYPES: Readonly<Record<string, CheckpointDType>> = {
  FloatStorage: 'float32',
  HalfStorage: 'float16',
  BFloat16Storage: 'bfloat16',
  DoubleStorage: 'float64',
  LongStorage: 'int64',
  IntStorage: 'int32',
  ShortStorage: 'int16',
  CharStorage: 'int8',
  ByteStorage: 'uint8',
  BoolStorage: 'bool',
};

const TORCH_DTYPE_NAMES = ['float32', 'float', 'float16', 'half', 'bfloat16', 'float64', 'double', 'int64', 'long', 'int32', 'int', 'int16', 'int8', 'uint8', 'bool'];

function fmtErr(label: string, msg: string): DifbfsrError {
  return new DifbfsrError('CHECKPOINT_FORMAT', `${label}: ${msg}`);
}

/** The allow-list: everything a `state_dict()` (possibly wrapped in a dict) pickles to. */
export function stateDictGlobals(label: string): Map<string, PyGlobal> {
  const g = new Map<string, PyGlobal>();
  const add = (module: string, name: string, call?: PyGlobal['call']): PyGlobal => {
    const v = new PyGlobal(module, name, call);
    g.set(`${module}.${name}`, v);
    return v;
  };
  const tensorArg = (fn: string, v: unknown): TorchTensor => {
    if (!(v instanceof TorchTensor)) throw fmtErr(label, `${fn} expects a tensor, got a ${typeName(v)}`);
    return v;
  };
  const dims = (fn: string, what: string, v: unknown): number[] => {
    const items = v instanceof PyTuple ? v.items : Array.isArray(v) ? v : undefined;
    if (!items || items.length > 64 || !items.every(isDim)) {
      throw fmtErr(label, `${fn}: invalid ${what} ${typeName(v)}`);
    }
    return [...(items as number[])];
  };
  const rebuildTensor = (fn: string) => (args: unknown[]): TorchTensor => {
    if (args.length < 4) throw fmtErr(label, `${fn} needs at least 4 arguments, got ${args.length}`);
    const [storage, offset, size, stride] = args;
    if (!(storage instanceof TorchStorage)) throw fmtErr(label, `${fn}: first argument is a ${typeName(storage)}, not a storage`);
    if (!isDim(offset)) throw fmtErr(label, `${fn}: invalid storage offset`);
    const shape = dims(fn, 'size', size);
    const strides = dims(fn, 'stride', stride);
    if (strides.length !== shape.length) throw fmtErr(label, `${fn}: size and stride lengths differ`);
    return new TorchTensor(storage, offset, shape, strides);
  };
  add('collections', 'OrderedDict', (args) => {
    const d = new PyDict();
    const init = args[0];
    if (init instanceof PyDict) for (const [k, v] of init.map) d.map.set(k, v);
    else if (Array.isArray(init)) {
      for (const p of init) {
        if (!(p instanceof PyTuple) || p.items.length !== 2) throw fmtErr(label, 'OrderedDict expects (key, value) pairs');
        d.map.set(p.items[0], p.items[1]);
      }
    } else if (init !== undefined && init !== null) throw fmtErr(label, `OrderedDict of a ${typeName(init)}`);
    return d;
  });
  add('torch._utils', '_rebuild_tensor_v2', rebuildTensor('_rebuild_tensor_v2'));
  add('torch._utils', '_rebuild_tensor', rebuildTensor('_rebuild_tensor'));
  add('torch._utils', '_rebuild_parameter', (args) => tensorArg('_rebuild_parameter', args[0]));
  add('torch._utils', '_rebuild_parameter_with_state', (args) => tensorArg('_rebuild_parameter_with_state', args[0]));
  add('torch._tensor', '_rebuild_from_type_v2', (args) => {
    const [func, newType, fargs] = args;
    if (!(func instanceof PyGlobal) || !func.call || func.name === '_rebuild_from_type_v2') {
      throw fmtErr(label, '_rebuild_from_type_v2: invalid rebuild function');
    }
    if (!(newType instanceof PyGlobal) || !['torch.Tensor', 'torch.nn.parameter.Parameter'].includes(newType.qualname)) {
      throw new DifbfsrError('CHECKPOINT_DISALLOWED', `${label}: refusing tensor subclass ${newType instanceof PyGlobal ? newType.qualname : typeName(newType)}`);
    }
    if (!(fargs instanceof PyTuple)) throw fmtErr(label, '_rebuild_from_type_v2: arguments are not a tuple');
    return tensorArg('_rebuild_from_type_v2', func.call(fargs.items));
  });
  add('torch', 'Tensor');
  add('torch.nn.parameter', 'Parameter', (args) => tensorArg('Parameter', args[0]));
  add('torch', 'Size', (args) => {
    const t = args[0];
    if (!(t instanceof PyTuple) && !Array.isArray(t)) throw fmtErr(label, 'torch.Size of a non-sequence');
    return new PyTuple([...(t instanceof PyTuple ? t.items : t)]);
  });
  add('torch', 'device', (args) => (typeof args[0] === 'string' ? args[0] + (args[1] !== undefined ? `:${String(args[1])}` : '') : 'device'));
  for (const name of Object.keys(STORAGE_DTYPES)) add('torch', name);
  for (const name of TORCH_DTYPE_NAMES) add('torch', name);
  add('_codecs', 'encode', (args) => {
    const [s, enc] = args;
    if (typeof s !== 'string' || (enc !== 'latin1' && enc !== 'latin-1')) throw fmtErr(label, '_codecs.encode: only latin1 strings');
    const out = new Uint8Array(s.length);
    for (let i = 0; i < s.length; i++) {
      const c = s.charCodeAt(i);
      if (c > 0xff) throw fmtErr(label, '_codecs.encode: character outside latin1');
      out[i] = c;
    }
    return out;
  });
  add('builtins', 'set', (args) => new PySet(Array.isArray(args[0]) ? [...args[0]] : []));
  add('builtins', 'frozenset', (args) => new PySet(Array.isArray(args[0]) ? [...args[0]] : []));
  return g;
}

/** Keys tried, in order, when the top-level dict holds no tensors itself. */
export const WRAPPER_KEYS = ['state_dict', 'model_state_dict', 'model', 'ema', 'params_ema', 'params', 'net', 'module'];

const isStateLike = (v: unknown, depth = 0, seen = new Set<PyDict>()): boolean => {
  if (!(v instanceof PyDict) || depth > 16 || seen.has(v)) return false;
  seen.add(v);
  for (const x of v.map.values()) if (x instanceof TorchTensor || isStateLike(x, depth + 1, seen)) return true;
  return false;
};
const hasDirectTensors = (d: PyDict): boolean => [...d.map.values()].some((v) => v instanceof TorchTensor);

/** Pick the dict of tensors out of whatever was saved; returns it and the wrapper's scalar extras. */
export function selectStateDict(
  root: unknown,
  label: string,
  key?: string,
): { dict: PyDict; extras: Record<string, string | number | boolean | null>; via?: string } {
  if (!(root instanceof PyDict)) {
    throw fmtErr(label, `the pickled object is a ${typeName(root)}, not a dict of tensors (save model.state_dict(), not the model)`);
  }
  const keys = [...root.map.keys()].filter((k): k is string => typeof k === 'string');
  const describeKeys = (): string => keys.slice(0, 20).map((k) => `"${clean(k, 40)}"`).join(', ') + (keys.length > 20 ? ', …' : '');
  let dict: PyDict | undefined;
  let via: string | undefined;
  if (key !== undefined) {
    const v = root.map.get(key);
    if (!isStateLike(v)) {
      throw fmtErr(label, `no dict of tensors under key "${clean(key)}" (top-level keys: ${describeKeys()})`);
    }
    dict = v as PyDict;
    via = key;
  } else if (hasDirectTensors(root)) {
    dict = root;
  } else {
    via = WRAPPER_KEYS.find((k) => isStateLike(root.map.get(k)));
    if (via === undefined) {
      const cands = keys.filter((k) => isStateLike(root.map.get(k)));
      if (cands.length === 1) via = cands[0];
      else if (cands.length > 1) {
        throw fmtErr(label, `several dicts of tensors (${cands.map((k) => `"${clean(k, 40)}"`).join(', ')}); choose one with the \`key\` option`);
      } else if (isStateLike(root)) dict = root;
      else throw fmtErr(label, `no tensors found (top-level keys: ${describeKeys()})`);
    }
    if (via !== undefined) dict = root.map.get(via) as PyDict;
  }
  const extras: Record<string, string | number | boolean | null> = {};
  if (dict !== root) {
    let n = 0;
    for (const [k, v] of root.map) {
      if (typeof k !== 'string' || k === via || n >= 1000) continue;
      if (typeof v === 'number' || typeof v === 'boolean' || v === null) extras[k] = v;
      else if (typeof v === 'string') extras[k] = v.length > 4096 ? `${v.slice(0, 4096)}…` : v;
      else if (typeof v === 'bigint') extras[k] = v.toString();
      else continue;
      n++;
    }
  }
  return { dict: dict!, extras, via };
}

/** Flatten nested dicts of tensors (`a.b.c`), keeping order; non-tensor leaves are skipped. */
export function flattenTensors(dict: PyDict, label: string): Map<string, TorchTensor> {
  const out = new Map<string, TorchTensor>();
  const seen = new Set<PyDict>();
  const walk = (d: PyDict, prefix: string, depth: number): void => {
    if (depth > 16) throw fmtErr(label, 'tensor dicts nest more than 16 levels deep');
    if (seen.has(d)) throw fmtErr(label, 'the state dict contains itself');
    seen.add(d);
    for (const [k, v] of d.map) {
      if (typeof k !== 'string' && typeof k !== 'number') continue;
      const name = prefix + String(k);
      if (v instanceof TorchTensor) {
        if (out.has(name)) throw fmtErr(label, `duplicate tensor name "${clean(name)}"`);
        out.set(name, v);
      } else if (v instanceof PyDict && isStateLike(v)) walk(v, `${name}.`, depth + 1);
    }
    seen.delete(d);
  };
  walk(dict, '', 0);
  return out;
}

/** Remove a prefix every name has (repeatedly: `module.module.` too). */
export function stripCommonPrefix<T>(m: Map<string, T>, prefixes: readonly string[]): Map<string, T> {
  let cur = m;
  for (let changed = true; changed && cur.size > 0; ) {
    changed = false;
    for (const p of prefixes) {
      if (p && [...cur.keys()].every((k) => k.startsWith(p) && k.length > p.length)) {
        cur = new Map([...cur].map(([k, v]) => [k.slice(p.length), v]));
        changed = true;
      }
    }
  }
  return cur;
}

/** The archive's record prefix (`archive/`), from where `data.pkl` is. */
function findPrefix(dir: ZipDirectory, label: string): string {
  const pkls = [...dir.entries.keys()].filter((n) => n === 'data.pkl' || /^[^/]+\/data\.pkl$/.test(n));
  if (pkls.length === 0) {
    throw fmtErr(label, 'ZIP archive has no data.pkl; not a torch.save checkpoint');
  }
  if (pkls.length > 1) throw fmtErr(label, `ZIP archive has several data.pkl records (${pkls.slice(0, 3).join(', ')})`);
  return pkls[0].slice(0, -'data.pkl'.length);
}

/** Refuse TorchScript archives and big-endian data: the archive must be a little-endian `torch.save`. */
async function checkArchive(src: ByteSource, dir: ZipDirectory, prefix: string): Promise<void> {
  const label = src.label;
  if (dir.entries.has(`${prefix}constants.pkl`) || [...dir.entries.keys()].some((n) => n.startsWith(`${prefix}code/`))) {
    throw fmtErr(label, 'this is a TorchScript archive (torch.jit.save); save model.state_dict() with torch.save instead');
  }
  const bo = dir.entries.get(`${prefix}byteorder`);
  if (bo && bo.size <= 16) {
    const order = new TextDecoder().decode(await readEntry(src, bo)).trim();
    if (order !== 'little') throw fmtErr(label, `byte order "${clean(order)}" is not supported (only little-endian)`);
  }
}

/**
 * The `persistent_load` of `torch.load`: a storage persistent id (`('storage', type, key, location,
 * numel)`) to one {@link TorchStorage} per key, recorded in `storages`; anything else is refused.
 */
function storageLoader(label: string, storages: Map<string, TorchStorage>): (pid: unknown) => TorchStorage {
  return (pid) => {
    if (!(pid instanceof PyTuple) || pid.items[0] !== 'storage' || pid.items.length !== 5) {
      throw fmtErr(label, `unsupported persistent id (${typeName(pid)}); only tensor storages are allowed`);
    }
    const [, type, key, location, numel] = pid.items;
    if (!(type instanceof PyGlobal) || type.module !== 'torch' || !(type.name in STORAGE_DTYPES)) {
      throw new DifbfsrError(
        'UNSUPPORTED_DTYPE',
        `${label}: storage type ${type instanceof PyGlobal ? type.qualname : typeName(type)} is not supported (${Object.keys(STORAGE_DTYPES).join(', ')})`,
      );
    }
    if (typeof key !== 'string' || key.length > 256 || typeof location !== 'string' || !isDim(numel)) {
      throw fmtErr(label, 'malformed storage persistent id');
    }
    const dtype = STORAGE_DTYPES[type.name];
    const prev = storages.get(key);
    if (prev) {
      if (prev.dtype !== dtype || prev.numel !== numel) throw fmtErr(label, `storage "${clean(key)}" is declared twice differently`);
      return prev;
    }
    const s = new TorchStorage(key, dtype, numel, location);
    storages.set(key, s);
    return s;
  };
}

/** Unpickle `data.pkl` with the state-dict allow-list and storage persistent ids. */
async function readDataPkl(src: ByteSource, dir: ZipDirectory, prefix: string): Promise<unknown> {
  const label = src.label;
  const pklEntry = dir.entries.get(`${prefix}data.pkl`)!;
  if (pklEntry.size > 1 << 30) throw fmtErr(label, `data.pkl of ${pklEntry.size} bytes is implausibly large for a state dict`);
  const pkl = await readEntry(src, pklEntry);
  return unpickle(pkl, { label: `${label} (data.pkl)`, globals: stateDictGlobals(label), persistentLoad: storageLoader(label, new Map()) });
}

/**
 * Where each storage a tensor uses can be read: in place for a stored entry, or inflated into
 * memory (at most 256 MiB or 32 times the archive) for a compressed one.
 */
async function locateStorages(src: ByteSource, dir: ZipDirectory, prefix: string, used: Set<TorchStorage>): Promise<Map<TorchStorage, { source: ByteSource; offset: number }>> {
  const label = src.label;
  const located = new Map<TorchStorage, { source: ByteSource; offset: number }>();
  let inflated = 0;
  const inflateCap = Math.max(256 * 2 ** 20, 32 * src.size);
  for (const s of used) {
    const entry: ZipEntry | undefined = dir.entries.get(`${prefix}data/${s.key}`);
    if (!entry) throw fmtErr(label, `storage data/${clean(s.key)} is missing from the archive (truncated or corrupt)`);
    checkEntryReadable(label, entry);
    const bytes = s.numel * DTYPE_BYTES[s.dtype];
    if (bytes > entry.size) {
      throw new DifbfsrError('CHECKPOINT_TRUNCATED', `${label}: storage data/${clean(s.key)} holds ${entry.size} bytes but ${s.numel} ${s.dtype} elements need ${bytes}`);
    }
    if (entry.method === 0) {
      located.set(s, { source: src, offset: await entryDataOffset(src, entry) });
    } else {
      inflated += entry.size;
      if (inflated > inflateCap) throw fmtErr(label, `compressed storages inflate to more than ${inflateCap} bytes; refusing`);
      located.set(s, { source: memorySource(await readEntry(src, entry), label), offset: 0 });
    }
  }
  return located;
}

/** A tensor view, checked to lie inside its storage, as a lazily read {@link TensorEntry}. */
function tensorEntry(label: string, name: string, t: TorchTensor, loc: { source: ByteSource; offset: number }): TensorEntry {
  const s = t.storage;
  const numel = t.shape.reduce((a, b) => a * b, 1);
  if (numel > 0) {
    let last = t.storageOffset;
    for (let i = 0; i < t.shape.length; i++) last += (t.shape[i] - 1) * t.stride[i];
    if (!Number.isSafeInteger(last) || last >= s.numel || numel > s.numel) {
      throw fmtErr(label, `tensor "${clean(name)}" (shape [${t.shape.join(', ')}], stride [${t.stride.join(', ')}], offset ${t.storageOffset}) does not fit its storage of ${s.numel} elements`);
    }
  }
  return new LazyTensor(loc.source, { name, dtype: s.dtype, shape: t.shape, offset: loc.offset + t.storageOffset * DTYPE_BYTES[s.dtype], stride: t.stride });
}

/** Read a PyTorch zip checkpoint: the archive, its `data.pkl`, the state dict in it, and where each tensor's bytes are. */
export async function readPytorch(src: ByteSource, options: LoadCheckpointOptions = {}): Promise<StateDict> {
  const label = src.label;
  const dir = await readZipDirectory(src);
  const prefix = findPrefix(dir, label);
  await checkArchive(src, dir, prefix);
  const root = await readDataPkl(src, dir, prefix);
  const { dict, extras } = selectStateDict(root, label, options.key);
  let tensors = flattenTensors(dict, label);
  if (tensors.size === 0) throw fmtErr(label, 'no tensors found');
  const strip = options.stripPrefix === false ? [] : (options.stripPrefix ?? ['module.']);
  tensors = stripCommonPrefix(tensors, strip);
  const located = await locateStorages(src, dir, prefix, new Set([...tensors.values()].map((t) => t.storage)));
  const entries = new Map<string, TensorEntry>();
  for (const [name, t] of tensors) entries.set(name, tensorEntry(label, name, t, located.get(t.storage)!));
  return new MapStateDict('pytorch', entries, {}, extras, label);
}
