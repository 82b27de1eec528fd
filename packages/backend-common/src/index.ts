/**
 * @difbfsr/backend-common: what backend-node and backend-web share to start tfjs for
 * @difbfsr/core: the preference loop, option checks, and on WASM the training kernels and the
 * allocation guard.
 */
export { startFirstBackend, type BackendFailure, type ActivatedBackend, type StartedBackend } from './start-first-backend.js';
export { checkPrefer, checkThreads, MAX_WASM_THREADS } from './backend-options.js';
export { activateCpu } from './activate-cpu.js';
export { activateWasmBackend, registerWasmBackend, WASM_PRIORITY } from './wasm-backend.js';
export { registerWasmTrainingKernels } from './register-wasm-training-kernels.js';
export { installWasmAllocationGuard } from './wasm-allocation-guard.js';
