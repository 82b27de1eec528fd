export type { CheckpointDType, TensorEntry, StateDict } from './types.js';
export { DTYPE_BYTES } from './types.js';
export { loadCheckpoint, readCheckpoint, sniffFormat, type LoadCheckpointOptions, type SniffedFormat } from './load.js';
export { parseSafetensors, readSafetensors, MAX_SAFETENSORS_HEADER } from './safetensors.js';
export { openSource, memorySource, type ByteSource, type CheckpointSource } from './source.js';
export { checkTensorList, checkShape, type CheckTensorListOptions } from './check.js';
export { halfToFloat, floatToHalf } from './dtype.js';
