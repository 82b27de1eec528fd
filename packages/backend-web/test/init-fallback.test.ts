import * as tf from '@tensorflow/tfjs-core';
import { describe, expect, it } from 'vitest';
import { DifbfsrError } from '@difbfsr/core';
import { init } from '@difbfsr/backend-web';

// Its own file: a failed WASM load cannot be retried in the same process.
describe('backend-web init when the WASM binary cannot be loaded', () => {
  it('records the failure and falls through to the cpu backend', async () => {
    const active = await init({ wasmPaths: '/nonexistent/difbfsr-wasm/' });
    expect(active.name).toBe('cpu');
    expect(tf.getBackend()).toBe('cpu');
    expect(active.skipped).toHaveLength(1);
    expect(active.skipped[0].name).toBe('wasm');
    expect(active.skipped[0].reason).toMatch(/\.wasm/);
  });

  it('throws BACKEND with every failure when no preferred backend starts', async () => {
    const error = await init({ prefer: ['wasm'] }).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(DifbfsrError);
    expect((error as DifbfsrError).code).toBe('BACKEND');
    expect((error as DifbfsrError).message).toMatch(/^No tfjs backend could be started: wasm: /);
  });
});
