/**
 * Public types of the checkpoint loaders.
 *
 * A checkpoint is read into a {@link StateDict}: a flat name → tensor map whose tensors are decoded
 * to float32 on demand ({@link TensorEntry.toFloat32}). Nothing in a checkpoint is ever executed.
 */

/** Element types a checkpoint tensor may have. All of them decode to float32. */
export type CheckpointDType =
  | 'float64'
  | 'float32'
  | 'float16'
  | 'bfloat16'
  | 'int64'
  | 'int32'
  | 'int16'
  | 'int8'
  | 'uint8'
  | 'bool';

/** Bytes per element of each {@link CheckpointDType}. */
export const DTYPE_BYTES: Readonly<Record<CheckpointDType, number>> = {
  float64: 8,
  float32: 4,
  float16: 2,
  bfloat16: 2,
  int64: 8,
  int32: 4,
  int16: 2,
  int8: 1,
  uint8: 1,
  bool: 1,
};

/** One tensor of a checkpoint. Its data stay where they are (file or buffer) until asked for. */
export interface TensorEntry {
  /** Name in the state dict, after wrapper/prefix removal (for example `input_blocks.0.0.weight`). */
  readonly name: string;
  /** Element type as stored in the checkpoint. */
  readonly dtype: CheckpointDType;
  /** Shape, outermost first (PyTorch order: conv weights are `[out, in, kh, kw]`). */
  readonly shape: readonly number[];
  /** Number of elements (product of `shape`; 1 for a scalar). */
  readonly size: number;
  /** Bytes of the tensor as stored (`size * DTYPE_BYTES[dtype]`). */
  readonly byteLength: number;
  /**
   * Decode to a new, C-contiguous `Float32Array` (owned by the caller). For file sources the bytes
   * are read from disk now (synchronously), so nothing but the result is kept in memory.
   * int64 values beyond 2^24 lose precision; float64 values are rounded to float32.
   */
  toFloat32(): Float32Array;
  /**
   * The raw little-endian bytes of the tensor, C-contiguous, in its stored `dtype`
   * (a new array owned by the caller).
   */
  bytes(): Uint8Array;
}

/** A loaded checkpoint: a flat map of named tensors. */
export interface StateDict {
  /** Container format the tensors came from. */
  readonly format: 'safetensors' | 'pytorch';
  /** safetensors `__metadata__` (e.g. `config` JSON); `{}` for PyTorch files. */
  readonly metadata: Readonly<Record<string, string>>;
  /**
   * Non-tensor values found beside the state dict in a PyTorch wrapper, e.g. `{ step: 500000 }` for
   * `{'state_dict': ..., 'step': 500000}`; only numbers, strings, booleans and null are kept. `{}` otherwise.
   */
  readonly extras: Readonly<Record<string, string | number | boolean | null>>;
  /** Tensor names in file order. */
  names(): string[];
  /** The tensor called `name`; throws `DifbfsrError('MISSING_TENSOR')` naming it when absent. */
  get(name: string): TensorEntry;
  /** Whether a tensor called `name` exists. */
  has(name: string): boolean;
  /** Number of tensors. */
  readonly size: number;
  /**
   * Set when the weight cache was used (Node, `cacheDir` / `DIFBFSR_CACHE_DIR`): the converted
   * safetensors file the tensors are read from, and whether it already existed (`hit`).
   */
  readonly cache?: { readonly path: string; readonly hit: boolean };
}
