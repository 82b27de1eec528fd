import { createRequire } from 'node:module';

/**
 * `require` resolving from this package, in both of its builds: the ES module
 * one has `import.meta.url`; in the CommonJS one the bundler leaves
 * `import.meta` empty and the module's own `__filename` applies.
 */
export const requireFromHere: NodeJS.Require = createRequire((import.meta as { url?: string }).url ?? __filename);
