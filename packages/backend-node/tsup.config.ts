import { defineConfig } from 'tsup';
import { libraryBuild } from '../../tsup.base.js';

export default defineConfig([
  libraryBuild(),
  // the `difbfsr` binary: ESM only, keeps its shebang
  { entry: { cli: 'src/cli.ts' }, format: ['esm'], sourcemap: true, target: 'es2022' },
]);
