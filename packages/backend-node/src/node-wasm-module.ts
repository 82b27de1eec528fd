import { readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import type { BackendWasmModule } from '@tensorflow/tfjs-backend-wasm/wasm-out/tfjs-backend-wasm';
import { pthreadWorkerFile } from './pthread-worker-file.js';
import { requireFromHere } from './require-from-here.js';

type WasmImports = WebAssembly.Imports & { env: Record<string, WebAssembly.ImportValue> };

interface EmscriptenConfig {
  locateFile(path: string, prefix: string): string;
  instantiateWasm(imports: WasmImports, receive: (instance: WebAssembly.Instance, module: WebAssembly.Module) => void): object;
  onAbort(what: unknown): void;
  mainScriptUrlOrBlob?: string;
}

/** The emscripten module before tfjs' bridge (`tfjs`) is attached. */
type EmscriptenWasmModule = Omit<BackendWasmModule, 'tfjs'> & {
  cwrap(name: string, returnType: 'number' | null, argTypes: 'number'[]): (...args: number[]) => number;
};

type EmscriptenFactory = (config: EmscriptenConfig) => Promise<EmscriptenWasmModule>;

/**
 * Builds tfjs-backend-wasm's emscripten module in Node, threaded when
 * `threads > 1` (needs SIMD: tfjs ships only a threaded SIMD binary).
 *
 * What tfjs' own loader does differently, and why it cannot run threads in
 * Node: it hands emscripten the pthread worker and the glue script as Blob
 * URLs (Node workers load files), its WASM_HAS_MULTITHREAD_SUPPORT flag is
 * hard-wired to false under Node, and the C side caps the pool at half of
 * `emscripten_num_logical_cores()` (it assumes hyper-threading), i.e. one
 * thread on a 2-core machine. Here the worker and glue are files, and the
 * logical-core import reports `2 * threads` so that the pool gets `threads`.
 */
export async function createNodeWasmModule(threads: number, simd: boolean): Promise<BackendWasmModule> {
  const threaded = threads > 1 && simd;
  const glue = requireFromHere.resolve(
    `@tensorflow/tfjs-backend-wasm/wasm-out/${threaded ? 'tfjs-backend-wasm-threaded-simd' : 'tfjs-backend-wasm'}.js`,
  );
  const binary = join(
    dirname(glue),
    threaded ? 'tfjs-backend-wasm-threaded-simd.wasm' : simd ? 'tfjs-backend-wasm-simd.wasm' : 'tfjs-backend-wasm.wasm',
  );
  const factory = requireFromHere(glue) as EmscriptenFactory;
  const module = await new Promise<EmscriptenWasmModule>((resolve, reject) => {
    const config: EmscriptenConfig = {
      locateFile: (path, prefix) => (path.endsWith('.worker.js') ? pthreadWorkerFile() : path.endsWith('.wasm') ? binary : prefix + path),
      instantiateWasm: (imports, receive) => {
        const env = threaded ? { ...imports.env, emscripten_num_logical_cores: () => 2 * threads } : imports.env;
        WebAssembly.instantiate(readFileSync(binary), { ...imports, env }).then(
          ({ instance, module: compiled }) => receive(instance, compiled),
          reject,
        );
        return {}; // emscripten: exports arrive later through `receive`
      },
      onAbort: (what) => reject(new Error(`the WASM module aborted: ${String(what)}`)),
      ...(threaded ? { mainScriptUrlOrBlob: glue } : {}),
    };
    factory(config).then(resolve, reject);
  });
  // The bridge BackendWasm expects (the same C entry points tfjs' loader wraps).
  const tfjs: BackendWasmModule['tfjs'] = {
    init: module.cwrap('init', null, []),
    initWithThreadsCount: module.cwrap('init_with_threads_count', null, ['number']),
    getThreadsCount: module.cwrap('get_threads_count', 'number', []),
    registerTensor: module.cwrap('register_tensor', null, ['number', 'number', 'number']),
    disposeData: module.cwrap('dispose_data', null, ['number']),
    dispose: module.cwrap('dispose', null, []),
  };
  return Object.assign(module, { tfjs }) as BackendWasmModule;
}
