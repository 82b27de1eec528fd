export { init, type InitOptions } from './init.js';
export { NODE_BACKENDS, type ActiveBackend, type BackendFailure, type NodeBackendName } from './backend-choice.js';
