import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { requireFromHere } from './require-from-here.js';

let workerFile: string | undefined;

/**
 * Path of a file holding tfjs-backend-wasm's pthread worker script.
 *
 * tfjs ships that script only as a string (`wasmWorkerContents`) and hands it
 * to emscripten as a Blob URL, which Node's `worker_threads.Worker` cannot
 * load. Written once per process into a private temporary directory (mode
 * 0700, removed at exit), so no other user can swap the script.
 */
export function pthreadWorkerFile(): string {
  if (workerFile != null) return workerFile;
  const { wasmWorkerContents } = requireFromHere(
    '@tensorflow/tfjs-backend-wasm/wasm-out/tfjs-backend-wasm-threaded-simd.worker.js',
  ) as { wasmWorkerContents: string };
  const dir = mkdtempSync(join(tmpdir(), 'difbfsr-wasm-'));
  process.once('exit', () => rmSync(dir, { recursive: true, force: true }));
  const file = join(dir, 'pthread-worker.cjs');
  // The string was built by a template literal, which turned the script's
  // "\n" escapes into raw newlines inside its string literals; restore them.
  writeFileSync(file, wasmWorkerContents.replace(/\n/g, '\\n'), { mode: 0o600 });
  workerFile = file;
  return file;
}
