export type { Denoiser, DenoiserOutput } from './denoiser.js';
export { DifbfsrError, InvalidOptionError, AbortError, throwIfAborted, type DifbfsrErrorCode } from './errors.js';
export { linearBetas, cosineBetas } from './schedule/beta-schedules.js';
export { spaceTimesteps } from './schedule/space-timesteps.js';
export { diffusionTables, fullSchedule, respace, linearSchedule, type Schedule, type DiffusionTables } from './schedule/diffusion-schedule.js';
export { predictX0FromEps, qSample, posteriorMean, posteriorLogVariance, reverseStep } from './diffusion/posterior.js';
export { downUpLowPass, gaussianLowPass, identityLowPass, toLowPass, type LowPass, type LowPassLike, type SeparableOperator } from './filters/low-pass.js';
export { resizeBicubic, downsampleArea, upsampleNearest } from './image/resize.js';
export { applySeparable } from './image/apply-separable.js';
export { bicubicMatrix, areaMatrix, nearestMatrix, gaussianMatrix, matMul1D, type Matrix1D } from './image/resize-matrices.js';
export { decodeInput, encodeOutput, toPixels, type RawImage, type ImageInput, type InputLayout, type DecodedInput } from './image/image-io.js';
export { SuperResolutionModule, type SrmOptions } from './modules/srm.js';
export { ConditionalFusionModule, filterPerPixel, type CfmOptions } from './modules/cfm.js';
export { fidelityLoss, lrConsistencyRmse, type LrProjection } from './restore/fidelity-loss.js';
export { lrProjection } from './degradation/lr-projection.js';
export { lrLowPassForNoise } from './restore/lr-low-pass-for-noise.js';
export { runContraction, type ContractionSettings, type ContractionResult } from './restore/contraction.js';
export { collapseLimit, BASELINE_LR_RMSE_FLOOR } from './restore/collapse-limit.js';
export type { ContractionOptimizer, ContractionOptimizerFactory, ContractionProblem, ContractionStep } from './restore/contraction-optimizer.js';
export { TfjsContractionOptimizer } from './restore/tfjs-contraction-optimizer.js';
export { ADAM_BETA1, ADAM_BETA2 } from './restore/adam-settings.js';
export { fixedFusion } from './restore/fixed-fusion.js';
export { restore, restoreWithInfo, type RestoreOutput } from './restore/restore.js';
export { RESTORE_DEFAULTS } from './restore/restore-defaults.js';
export { resolveRestoreOptions, type ResolvedRestoreOptions } from './restore/resolve-options.js';
export { resolvePhotoOptions, type ResolvedPhotoOptions } from './photo/resolve-photo-options.js';
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
export type { RestoreOptions, MethodOptions, ChainOptions, OptimisationOptions, CallOptions, RestoreInfo, RestoreProgress, RestoreMethod, Ablation } from './restore/options.js';
export { SeededRandom } from './util/seeded-random.js';
export { sampleAncestral, type SampleOptions } from './diffusion/sample.js';
export { GaussianPrior, type GaussianPriorOptions } from './priors/gaussian-prior.js';
export { registerWasmTrainingKernels } from './kernels/register-wasm-training-kernels.js';
export { assertWasmHeapHeadroom, WASM_HEAP_LIMIT_BYTES, type WasmHeapHeadroomOptions } from './kernels/wasm-heap-headroom.js';
export { installWasmAllocationGuard } from './kernels/wasm-allocation-guard.js';
export { pixelShuffle } from './kernels/pixel-shuffle.js';
export { lanczosMatrix, lanczosBlock } from './image/lanczos-matrix.js';
export type { FaceDetector, DetectedFace, DetectOptions } from './photo/face-detector.js';
export type { FaceBox, FiveLandmarks, Point, FaceTemplate } from './types/face.js';
export type { RgbImage, UncertaintyMap } from './types/image.js';
export { scaleFaceTemplate } from './photo/face-template.js';
export { estimateSimilarity, applyAffine, invertAffine, composeAffine, affineScale, type Affine2D } from './photo/similarity-transform.js';
export { warpAffine, type WarpFill } from './photo/affine-warp.js';
export { alignFace, type AlignedFace } from './photo/align-face.js';
export { featherMask } from './photo/feather-mask.js';
export { pasteFace, type PasteResult } from './photo/paste-face.js';
export { resizeLanczos, upscaleLanczos, type UpscaleOptions } from './photo/upscale-lanczos.js';
export { decodePhoto, encodePhoto, photoShape, type PhotoImage, type PhotoLayout, type PhotoPixels, type PhotoShape } from './photo/photo-pixels.js';
export { checkPixelLimit, DEFAULT_MAX_PIXELS, type PixelLimitCheck } from './photo/pixel-limit.js';
export type { PixelPlane, PixelRect } from './photo/pixel-window.js';
export { restorePhoto } from './photo/restore-photo.js';
export type { PhotoOptions, PhotoProgress, PhotoResult, FaceReport, FaceCrop, FaceSkipReason } from './photo/photo-options.js';
export { gaussianKernel, gaussianBlurOperator } from './degradation/gaussian-kernel.js';
export { imresizeOperator } from './degradation/matlab-imresize-operator.js';
export { reflect101, reflectSymmetric } from './degradation/reflect-index.js';
export { denseOf, type SparseOperator } from './degradation/sparse-operator.js';
export { degradationMatrix, toMatrix1D, type Degradation } from './degradation/degradation-operator.js';
export type { DenseMatrix } from './linalg/dense-matrix.js';
export { GaussianFaceModel, type GaussianFaceModelData, type LowRankCovariance } from './gaussian/gaussian-face-model.js';
export { ObservedGaussianModel } from './gaussian/observed-gaussian-model.js';
export { GaussianPosterior } from './gaussian/gaussian-posterior.js';
export { noiseCovarianceOf } from './degradation/degradation-operator.js';
export type { DegradationEstimator } from './degradation/degradation-estimator.js';
export { estimateDegradation } from './degradation/estimate-degradation.js';
export { gaussianRestore, gaussianPosteriorOf, UNCERTAINTY_SAMPLES, type GaussianRestoration } from './gaussian/gaussian-restore.js';
export { runPosteriorChain, type PosteriorChainSettings, type PosteriorChainResult } from './restore/posterior-chain.js';
export { BlendedDenoiser, blendWeightAt, type BlendWeights } from './priors/blended-denoiser.js';
