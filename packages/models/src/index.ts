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
// The bundled prior's Gaussian face model and degradation estimator (restore()'s defaults on import).
export { BUNDLED_GAUSSIAN_MODEL_URL, BUNDLED_DEGRADATION_ESTIMATOR_URL, loadBundledGaussianModel, loadBundledDegradationEstimator, registerBundledCompanions } from './bundled-companions.js';
export { gaussianModelFromStateDict, unpackEigenvectors, GAUSSIAN_MODEL_FORMAT } from './gaussian/gaussian-model-from-state-dict.js';
export { CnnDegradationEstimator, DEGRADATION_ESTIMATOR_FORMAT } from './degradation-estimator/cnn-degradation-estimator.js';
import { registerBundledPrior } from './bundled-prior.js';
import { registerBundledCompanions } from './bundled-companions.js';

registerBundledPrior();
registerBundledCompanions();
