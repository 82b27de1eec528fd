export { init, type InitOptions } from './init.js';
export { WEB_BACKENDS, type ActiveBackend, type BackendFailure, type WebBackendName } from './backend-choice.js';
export type { WasmPaths } from './activate-wasm.js';
