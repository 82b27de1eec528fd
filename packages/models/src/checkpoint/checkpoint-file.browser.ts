/**
 * What browser bundles get in place of `checkpoint-file.node.ts` (the package's `browser` field):
 * the same functions, each rejecting with a {@link DifbfsrError} that says what to do instead.
 */
import { DifbfsrError } from '@difbfsr/core';
import type * as NodeOnly from './checkpoint-file.node.js';

function needsNode(code: 'INVALID_INPUT' | 'INVALID_OPTION', message: string): () => Promise<never> {
  return () => Promise.reject(new DifbfsrError(code, message));
}

/** Browsers: rejects; pass a URL or an ArrayBuffer instead of a file path. */
export const openFileSource: typeof NodeOnly.openFileSource = needsNode('INVALID_INPUT', 'Loading from a file path needs Node; pass a URL or ArrayBuffer');
/** Browsers: rejects; the weight cache lives on disk (`cacheDir`, Node only). */
export const lookupCache: typeof NodeOnly.lookupCache = needsNode('INVALID_OPTION', 'The checkpoint cache (cacheDir) needs Node');
/** Browsers: rejects; the weight cache lives on disk (`cacheDir`, Node only). */
export const loadViaCache: typeof NodeOnly.loadViaCache = needsNode('INVALID_OPTION', 'The checkpoint cache (cacheDir) needs Node');
/** Browsers: rejects; `saveSafetensors()` gives the file's bytes instead. */
export const saveSafetensorsFile: typeof NodeOnly.saveSafetensorsFile = needsNode('INVALID_INPUT', 'Writing a file needs Node; use saveSafetensors() for the bytes');
