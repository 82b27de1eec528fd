export { exportUNetToOnnx, checkUNetStateDict, type ExportUNetOptions, type UNetOnnxModel } from './export.js';
export { UNET_OPSET, type ImageLayout } from './unet/unet-graph.js';
export { OnnxDenoiser, type OnnxDenoiserOptions } from './onnx-denoiser.js';
export { loadOnnxRuntime, type OnnxRuntime, type OnnxRuntimeKind, type LoadedRuntime } from './runtime.js';
export { autoExecutionProviders, cudaProviderFiles, cudaProviderInstalled, deviceExecutionProviders, type CudaProviderFiles, type ExecutionProviderName, type OnnxDevice } from './providers.js';
export { estimateActivationBytes } from './memory.js';
export type { WeightStorage, WeightInput, SerializedModel } from './graph/serialize.js';
export { OnnxContractionOptimizer } from './contraction/onnx-contraction-optimizer.js';
export type { OnnxContractionOptions } from './contraction/contraction-runner.js';
export { registerOnnxRuntime, ONNX_RUNTIME_PRIORITY, type OnnxRuntimeOptions } from './register-runtime.js';
import { registerOnnxRuntime } from './register-runtime.js';

// Importing this package is enough: restore()'s 'auto'/'onnx' prior and SRM/CFM optimiser run here.
registerOnnxRuntime();
