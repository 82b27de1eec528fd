import { fileURLToPath } from 'node:url';
import { defineConfig } from 'vitest/config';

const src = (pkg: string) => fileURLToPath(new URL(`./packages/${pkg}/src/index.ts`, import.meta.url));

export default defineConfig({
  resolve: {
    alias: {
      '@difbfsr/core': src('core'),
      '@difbfsr/models': src('models'),
      '@difbfsr/backend-common': src('backend-common'),
      '@difbfsr/backend-node': src('backend-node'),
      '@difbfsr/backend-web': src('backend-web'),
      '@difbfsr/onnx': src('onnx'),
      '@difbfsr/faces': src('faces'),
      '@difbfsr/eval': src('eval'),
    },
  },
  test: {
    include: ['packages/*/test/**/*.test.ts', 'examples/web/test/**/*.test.ts', 'tools/architecture/*.test.ts'],
    testTimeout: 120_000,
    hookTimeout: 120_000,
    pool: 'forks',
    poolOptions: { forks: { maxForks: 2, minForks: 1 } },
  },
});
