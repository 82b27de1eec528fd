import type { Options } from 'tsup';

/**
 * The build every package shares: `src/index.ts` to ESM + CommonJS + type declarations. `shims`
 * gives the CommonJS build `import.meta.url`, which the packages use to find their own files.
 */
export function libraryBuild(overrides: Options = {}): Options {
  return {
    entry: ['src/index.ts'],
    format: ['esm', 'cjs'],
    dts: true,
    sourcemap: true,
    clean: true,
    target: 'es2022',
    shims: true,
    ...overrides,
  };
}
