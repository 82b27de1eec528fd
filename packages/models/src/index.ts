// Checkpoint loaders (safetensors, PyTorch zip), state dicts, tensor-list checks, writer.
export * from './checkpoint/index.js';
