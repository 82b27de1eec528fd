export type { CheckpointDType, TensorEntry, StateDict } from './types.js';
export { DTYPE_BYTES } from './types.js';
export {
  loadCheckpoint,
  readCheckpoint,
  sniffFormat,
  resolveCacheDir,
  type LoadCheckpointOptions,
  type SniffedFormat,
} from './load.js';
export { parseSafetensors, readSafetensors, MAX_SAFETENSORS_HEADER } from './safetensors.js';
export { openSource, memorySource, type ByteSource, type CheckpointSource } from './source.js';
export { checkTensorList, checkShape, checkConfig, type CheckTensorListOptions } from './check.js';
export { halfToFloat, floatToHalf } from './dtype.js';
export {
  saveSafetensors,
  type SaveableTensor,
  type SaveableTensors,
  type SaveSafetensorsOptions,
  type TensorData,
} from './writer.js';
export { unpickle, PyDict, PyTuple, PyGlobal, PySet, type UnpickleOptions } from './pickle.js';
export { stateDictGlobals, WRAPPER_KEYS } from './pytorch.js';

/**
 * Node only: write tensors as a safetensors file, streaming one tensor at a time (atomic rename).
 * Imported lazily so browser bundles never load `node:fs`.
 */
export async function saveSafetensorsFile(
  path: string,
  tensors: import('./writer.js').SaveableTensors,
  metadata?: Readonly<Record<string, string>>,
  options?: import('./writer.js').SaveSafetensorsOptions,
): Promise<number> {
  const m = await import('./checkpoint-file.node.js');
  return m.saveSafetensorsFile(path, tensors, metadata, options);
}
export { saveTorchZip, torchZipChunks, stateDictPickle, crc32, type TorchZipOptions } from './torch-writer.js';
