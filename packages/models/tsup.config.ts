import { defineConfig } from 'tsup';
import { libraryBuild } from '../../tsup.base.js';

/**
 * The Node-only checkpoint code (file reads, the weight cache, file writers) and its browser stub
 * are entries of their own, `dist/checkpoint-file.{node,browser}.{js,cjs}`, which package.json's
 * "browser" field maps one to the other: a browser bundle of dist/ never sees `node:fs`. The other
 * modules' lazy imports of it stay imports of that file, in both formats (the CommonJS build would
 * otherwise inline it).
 */
export default defineConfig(
  libraryBuild({
    entry: {
      index: 'src/index.ts',
      'checkpoint-file.node': 'src/checkpoint/checkpoint-file.node.ts',
      'checkpoint-file.browser': 'src/checkpoint/checkpoint-file.browser.ts',
    },
    esbuildPlugins: [
      {
        name: 'checkpoint-file-entry',
        setup(build) {
          const ext = build.initialOptions.format === 'cjs' ? 'cjs' : 'js';
          build.onResolve({ filter: /^\.\/checkpoint-file\.node\.js$/ }, () => ({ path: `./checkpoint-file.node.${ext}`, external: true }));
        },
      },
    ],
  }),
);
