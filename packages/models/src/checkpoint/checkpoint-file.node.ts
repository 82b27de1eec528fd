/**
 * Everything of the checkpoint code that needs Node's file system (`node:fs`), behind one module
 * that the rest imports lazily. Browser bundles get `checkpoint-file.browser.ts` in its place
 * through the package's `browser` field, so they never see a Node built-in.
 */
export { openFileSource } from './source.node.js';
export { lookupCache, loadViaCache } from './cache.node.js';
export { saveSafetensorsFile } from './writer.node.js';
