import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { afterAll, describe, expect, it } from 'vitest';
import { importOptionalOnnx, isNotInstalled } from '../src/cli/optional-onnx.js';

const errorOfImport = async (specifier: string): Promise<unknown> => {
  try {
    await import(/* @vite-ignore */ specifier);
  } catch (err) {
    return err;
  }
  throw new Error(`${specifier} imported`);
};

const dir = mkdtempSync(join(tmpdir(), 'difbfsr-optional-onnx-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

describe('the optional @difbfsr/onnx import', () => {
  it('tells a package that is not installed from one that fails while loading', async () => {
    const missing = await errorOfImport('@difbfsr/not-a-package');
    expect(isNotInstalled(missing, '@difbfsr/not-a-package')).toBe(true);
    // The same error for another name: a dependency missing *inside* an installed package.
    expect(isNotInstalled(missing, '@difbfsr/onnx')).toBe(false);
    const broken = join(dir, 'broken.mjs');
    writeFileSync(broken, "throw new Error('onnxruntime binding failed');\n");
    const thrown = await errorOfImport(pathToFileURL(broken).href);
    expect(isNotInstalled(thrown, '@difbfsr/onnx')).toBe(false);
    expect(isNotInstalled(undefined, '@difbfsr/onnx')).toBe(false);
  });

  it('imports the package when it resolves (here: the workspace package)', async () => {
    const onnx = await importOptionalOnnx();
    expect(typeof onnx?.registerOnnxRuntime).toBe('function');
    expect(typeof onnx?.exportUNetToOnnx).toBe('function');
  });
});
