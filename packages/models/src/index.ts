// Checkpoint loaders (safetensors, PyTorch zip), state dicts, tensor-list checks, writer.
export * from './checkpoint/index.js';
// guided-diffusion U-Net in TensorFlow.js (NHWC), a core Denoiser.
export * from './unet/index.js';
// Published guided-diffusion checkpoints (architecture, download, licence, schedule) and detection.
export * from './presets/index.js';
// The bundled 64x64 face prior, registered as restore()'s default prior on import.
export { BUNDLED_PRIOR_URL, loadBundledPrior, registerBundledPrior } from './bundled-prior.js';
export { BUNDLED_FACE_TEMPLATE } from './bundled-face-template.js';
// What builds the bundled prior on ONNX Runtime (registered by @difbfsr/onnx on import).
export { setUNetDenoiserFactory, unetDenoiserFactory, type UNetDenoiserFactory } from './unet-denoiser-registry.js';
import { registerBundledPrior } from './bundled-prior.js';

registerBundledPrior();
