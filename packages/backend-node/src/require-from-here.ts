import { createRequire } from 'node:module';
import { fileURLToPath } from 'node:url';

/**
 * `require` resolving from this package, in both of its builds: the CommonJS
 * one has `__filename` (and no `import.meta`), the ES module one `import.meta.url`.
 */
export const requireFromHere: NodeJS.Require = createRequire(
  typeof __filename === 'string' ? __filename : fileURLToPath(import.meta.url),
);
