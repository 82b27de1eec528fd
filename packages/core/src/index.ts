/**
 * @difbfsr/core: x4 blind face super-resolution with a diffusion face prior (DifBFSR) on tfjs-core.
 * Internals (the contraction loop, option resolution, kernels' helpers) are not exported; tests
 * import them by relative path.
 */

// Restoring: a face, a photo; options, their defaults and what a restore reports.
export { restore, restoreWithInfo, type RestoreOutput } from './restore/restore.js';
export { RESTORE_DEFAULTS } from './restore/restore-defaults.js';
export type { RestoreOptions, MethodOptions, ChainOptions, OptimisationOptions, CallOptions, RestoreInfo, RestoreProgress, RestoreMethod, Ablation } from './restore/options.js';
export { restorePhoto } from './photo/restore-photo.js';
export { resolvePhotoOptions, type ResolvedPhotoOptions } from './photo/resolve-photo-options.js';
export type { PhotoOptions, PhotoProgress, PhotoResult, FaceReport, FaceCrop, FaceSkipReason } from './photo/photo-options.js';
export { checkPixelLimit, DEFAULT_MAX_PIXELS, type PixelLimitCheck } from './photo/pixel-limit.js';
export { toPixels, type ImageInput } from './image/image-io.js';
export { decodeRawImage, encodeRawImage, type RawLayout, type DecodedRawImage } from './image/raw-pixels.js';
export { upscaleLanczos, type UpscaleOptions } from './photo/upscale-lanczos.js';

// Errors.
export { DifbfsrError, InvalidOptionError, AbortError, throwIfAborted, type DifbfsrErrorCode } from './errors.js';

// The runtime registry: what backends and models register, and the defaults they set.
export {
  registerRuntime,
  unregisterRuntime,
  type RuntimeName,
  type RuntimeChoice,
  type RuntimeDevice,
  type RuntimeParts,
  type RuntimePart,
  type NetworkSpec,
  type DenoiserFactory,
  type OptimizerFactory,
} from './runtime/runtime-registry.js';
export { createDenoiser, type DenoiserRequest } from './runtime/create-denoiser.js';
export type { OptimizerChoice } from './runtime/create-optimizer.js';
export { setDefaultFaceModel, getDefaultPrior, getDefaultGaussianModel, getDefaultDegradationEstimator, type FaceModel } from './runtime/face-model.js';

// The diffusion prior: the Denoiser seam, the schedules, the reverse process.
export type { Denoiser, DenoiserOutput } from './denoiser.js';
export { GaussianPrior, type GaussianPriorOptions } from './priors/gaussian-prior.js';
export { BlendedDenoiser, blendWeightAt, type BlendWeights } from './priors/blended-denoiser.js';
export { linearBetas, cosineBetas } from './schedule/beta-schedules.js';
export { spaceTimesteps } from './schedule/space-timesteps.js';
export { diffusionTables, fullSchedule, respace, linearSchedule, type Schedule, type DiffusionTables } from './schedule/diffusion-schedule.js';
export { predictX0FromEps, qSample, posteriorMean, posteriorLogVariance, reverseStep } from './diffusion/posterior.js';
export { sampleAncestral, type SampleOptions } from './diffusion/sample.js';
export { SeededRandom } from './util/seeded-random.js';

// The contraction (paper eq. 3-4): SRM, CFM, filters, the loss and the optimiser seam.
export { SuperResolutionModule, type SrmOptions } from './modules/srm.js';
export { ConditionalFusionModule, type CfmOptions } from './modules/cfm.js';
export { downUpLowPass, gaussianLowPass, identityLowPass, chainSeparable, type LowPass, type LowPassLike, type SeparableOperator } from './filters/low-pass.js';
export type { Matrix1D } from './image/resize-matrices.js';
export { resizeBicubic } from './image/resize.js';
export { pixelShuffle } from './kernels/pixel-shuffle.js';
export { fidelityLoss, lrConsistencyRmse, type LrProjection } from './restore/fidelity-loss.js';
export { lrProjection } from './degradation/lr-projection.js';
export type { ContractionOptimizer, ContractionOptimizerFactory, ContractionProblem, ContractionStep } from './restore/contraction-optimizer.js';
export { TfjsContractionOptimizer } from './restore/tfjs-contraction-optimizer.js';
export { ADAM_BETA1, ADAM_BETA2 } from './restore/adam-settings.js';

// The degradation model and its estimate.
export { gaussianKernel, gaussianBlurOperator } from './degradation/gaussian-kernel.js';
export { imresizeOperator } from './degradation/matlab-imresize-operator.js';
export type { SparseOperator } from './degradation/sparse-operator.js';
export { degradationMatrix, type Degradation } from './degradation/degradation-operator.js';
export type { DenseMatrix } from './linalg/dense-matrix.js';
export { symmetricEigen, symmetricFunction, symmetricPseudoInverse, type SymmetricEigen } from './linalg/symmetric-eigen.js';
export type { DegradationEstimator } from './degradation/degradation-estimator.js';
export { estimateDegradation } from './degradation/estimate-degradation.js';

// The Gaussian face model (closed-form method).
export { GaussianFaceModel, type GaussianFaceModelData, type LowRankCovariance } from './gaussian/gaussian-face-model.js';

// Faces in photos: the detector seam and the geometry a caller needs to place a face.
export type { FaceDetector, DetectedFace, DetectOptions } from './photo/face-detector.js';
export type { FaceBox, FiveLandmarks, Point, FaceTemplate } from './types/face.js';
export type { RawImage, PixelData, FloatImage, RgbImage } from './types/image.js';
export { scaleFaceTemplate } from './photo/face-template.js';
export { estimateSimilarity, applyAffine, invertAffine, type Affine2D } from './photo/similarity-transform.js';
export { warpAffine, type WarpFill } from './photo/affine-warp.js';
