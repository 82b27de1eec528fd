/**
 * The package in a browser bundle: bundled by esbuild for platform 'browser' (which follows
 * package.json's "browser" field, as Vite, webpack and Rollup's node-resolve do), it must pull in no
 * Node built-in; the stub that replaces the Node-only checkpoint code rejects with a typed error.
 */
import { existsSync } from 'node:fs';
import { createRequire } from 'node:module';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { DifbfsrError } from '@difbfsr/core';
import * as stub from '../src/checkpoint/checkpoint-file.browser.js';

/** The part of esbuild's API used here (esbuild comes with tsup; it is not a dependency of its own). */
interface Esbuild {
  build(options: Record<string, unknown>): Promise<{ errors: unknown[]; metafile: { inputs: Record<string, unknown> } }>;
}
const require = createRequire(import.meta.url);
const esbuild = createRequire(require.resolve('tsup'))('esbuild') as Esbuild;

const PKG_DIR = fileURLToPath(new URL('..', import.meta.url));
const DIST_ENTRY = `${PKG_DIR}dist/index.js`;

/** Bundle an entry for browsers (dependencies left out) and list the files that went in. */
async function browserBundleInputs(entry: string): Promise<string[]> {
  const result = await esbuild.build({
    entryPoints: [entry],
    absWorkingDir: PKG_DIR,
    bundle: true,
    splitting: true,
    format: 'esm',
    platform: 'browser',
    external: ['@difbfsr/*', '@tensorflow/*'],
    write: false,
    outdir: 'browser-bundle',
    metafile: true,
    logLevel: 'silent',
  });
  expect(result.errors).toEqual([]);
  return Object.keys(result.metafile.inputs);
}

describe('@difbfsr/models in a browser bundle', () => {
  it('the sources bundle with the browser stub in place of the Node-only checkpoint code', async () => {
    const inputs = await browserBundleInputs('src/index.ts');
    expect(inputs).toContain('src/checkpoint/checkpoint-file.browser.ts');
    expect(inputs.filter((f) => f.includes('.node.') || /^(node:)?(fs|path|url|crypto)\b/.test(f))).toEqual([]);
  });

  it.skipIf(!existsSync(DIST_ENTRY))('the build (dist/) bundles with the browser stub in place of the Node-only checkpoint code', async () => {
    const inputs = await browserBundleInputs(DIST_ENTRY);
    expect(inputs).toContain('dist/checkpoint-file.browser.js');
    expect(inputs.filter((f) => f.includes('.node.') || /^(node:)?(fs|path|url|crypto)\b/.test(f))).toEqual([]);
  });

  it('the stub rejects with a DifbfsrError that says what to do instead', async () => {
    await expect(stub.openFileSource('weights.safetensors')).rejects.toThrow(new DifbfsrError('INVALID_INPUT', 'Loading from a file path needs Node; pass a URL or ArrayBuffer'));
    await expect(stub.saveSafetensorsFile('out.safetensors', {})).rejects.toMatchObject({ code: 'INVALID_INPUT', message: expect.stringContaining('saveSafetensors()') });
    for (const cache of [stub.lookupCache, stub.loadViaCache] as ((...args: unknown[]) => Promise<unknown>)[]) {
      await expect(cache()).rejects.toMatchObject({ code: 'INVALID_OPTION', message: expect.stringContaining('cacheDir') });
    }
  });
});
