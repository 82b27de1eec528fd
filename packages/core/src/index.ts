export type { Denoiser, DenoiserOutput } from './denoiser.js';
export { DifbfsrError, AbortError, throwIfAborted, type DifbfsrErrorCode } from './errors.js';
