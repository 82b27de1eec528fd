import { spawnSync } from 'node:child_process';
import { createRequire } from 'node:module';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { describe, expect, it } from 'vitest';

const repoRoot = fileURLToPath(new URL('../../../', import.meta.url));
const tfjsCore = pathToFileURL(createRequire(import.meta.url).resolve('@tensorflow/tfjs-core')).href;
const backendNode = new URL('../src/index.ts', import.meta.url).href;

describe('threaded WASM in a plain Node process (tsx, outside vitest)', () => {
  it('initialises 2 threads, trains a conv with tf.grad, and lets the process exit on its own', () => {
    const script = `(async () => {
      const tf = await import('${tfjsCore}');
      const { init } = await import('${backendNode}');
      const active = await init({ prefer: ['wasm'], threads: 2 });
      const x = tf.ones([1, 3, 3, 1]);
      const dw = tf.grad((w) => tf.sum(tf.conv2d(x, w, 1, 'same')))(tf.zeros([3, 3, 1, 1]));
      console.log(JSON.stringify({ threads: active.threads, dw: Array.from(dw.dataSync()) }));
    })();`;
    const started = Date.now();
    const run = spawnSync(process.execPath, ['--import', 'tsx', '-e', script], {
      cwd: repoRoot,
      encoding: 'utf8',
      timeout: 30_000,
    });
    expect(run.signal, `killed after ${Date.now() - started} ms: the pool threads kept Node alive`).toBeNull();
    expect(run.status, run.stderr.slice(-2000)).toBe(0);
    const result = JSON.parse(run.stdout.trim().split('\n').pop()!) as { threads: number; dw: number[] };
    expect(result).toEqual({ threads: 2, dw: [4, 6, 4, 6, 9, 6, 4, 6, 4] });
  });
});
