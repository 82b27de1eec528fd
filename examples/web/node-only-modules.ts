import type { Plugin } from 'vite';

const PREFIX = '\0difbfsr-node-only:';

/**
 * The workspace packages keep Node-only code (reading files at offsets, the weight cache, file
 * writers) in `*.node.ts` modules that they import lazily and only under Node. Rollup cannot bundle
 * them for a browser (they import `node:fs`), so a browser build gets, for each, a module that
 * throws when imported: a clear error should a Node-only path ever be reached.
 */
export function nodeOnlyModules(): Plugin {
  return {
    name: 'difbfsr-node-only-modules',
    enforce: 'pre',
    resolveId(source, importer) {
      if (importer && /[\\/]packages[\\/][^\\/]+[\\/]src[\\/]/.test(importer) && source.endsWith('.node.js')) return PREFIX + source;
      return null;
    },
    load(id) {
      if (!id.startsWith(PREFIX)) return null;
      return `throw new Error(${JSON.stringify(`${id.slice(PREFIX.length)} runs only in Node.js`)});`;
    },
  };
}
