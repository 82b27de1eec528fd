import { fileURLToPath } from 'node:url';
import { defineConfig } from 'vite';
import { faceApiModels } from './face-api-models.js';

/** The workspace packages are built from source, like the tests do, so the demo needs no `pnpm build` first. */
const source = (pkg: string) => fileURLToPath(new URL(`../../packages/${pkg}/src/index.ts`, import.meta.url));

/**
 * Cross-origin isolation lets tfjs' WASM backend use worker threads (SharedArrayBuffer). The page
 * also works without it (one thread), e.g. on a static host that cannot set headers.
 */
const isolation = {
  'Cross-Origin-Opener-Policy': 'same-origin',
  'Cross-Origin-Embedder-Policy': 'require-corp',
};

export default defineConfig({
  base: './',
  resolve: {
    alias: {
      '@difbfsr/core': source('core'),
      '@difbfsr/models': source('models'),
      '@difbfsr/backend-common': source('backend-common'),
      '@difbfsr/backend-web': source('backend-web'),
      '@difbfsr/faces': source('faces'),
    },
    dedupe: ['@tensorflow/tfjs-core'],
  },
  plugins: [faceApiModels()],
  worker: { format: 'es' },
  // Scan the worker too, so the dev server optimises its dependencies up front instead of reloading.
  optimizeDeps: { entries: ['index.html', 'src/restore-worker.ts'] },
  build: {
    target: 'es2022',
    // The bundled prior (9.4 MB), the WASM binaries and face-api's weights are files of their own, never inlined.
    assetsInlineLimit: 0,
    chunkSizeWarningLimit: 2048,
  },
  server: { headers: isolation },
  preview: { headers: isolation },
});
