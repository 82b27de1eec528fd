// Checkpoint loaders (safetensors, PyTorch zip), state dicts, tensor-list checks, writer.
export * from './checkpoint/index.js';
// guided-diffusion U-Net in TensorFlow.js (NHWC), a core Denoiser.
export * from './unet/index.js';
// Published guided-diffusion checkpoints (architecture, download, licence, schedule) and detection.
export * from './presets/index.js';
// The bundled face model (64x64 prior, face template, Gaussian model, degradation estimator), restore()'s default on import.
export {
  BUNDLED_FACE_MODEL,
  BUNDLED_PRIOR_URL,
  BUNDLED_GAUSSIAN_MODEL_URL,
  BUNDLED_DEGRADATION_ESTIMATOR_URL,
  loadBundledNetwork,
  loadBundledGaussianModel,
  loadBundledDegradationEstimator,
  registerBundledFaceModel,
} from './bundled-face-model.js';
export { BUNDLED_FACE_TEMPLATE } from './bundled-face-template.js';
export { checkpointFaceModel, type CheckpointFaceModelOptions } from './checkpoint-face-model.js';
// The tfjs runtime's denoiser (the U-Net), registered into @difbfsr/core on import.
export { TFJS_UNET_DENOISER, registerTfjsUNet } from './tfjs-runtime.js';
export { gaussianModelFromStateDict, unpackEigenvectors, GAUSSIAN_MODEL_FORMAT } from './gaussian/gaussian-model-from-state-dict.js';
export { CnnDegradationEstimator, DEGRADATION_ESTIMATOR_FORMAT } from './degradation-estimator/cnn-degradation-estimator.js';
import { registerBundledFaceModel } from './bundled-face-model.js';
import { registerTfjsUNet } from './tfjs-runtime.js';

registerTfjsUNet();
registerBundledFaceModel();
