import { fileURLToPath } from 'node:url';
import { defineConfig } from 'tsup';
import { libraryBuild } from '../../tsup.base.js';

/**
 * The declarations are built against @difbfsr/models' sources, not its dist: models names this
 * package as an optional peer, so `pnpm -r build` sees a cycle and may build the two at once
 * (issue #18 removes the cycle). The import of @difbfsr/models stays an import in the output.
 */
const modelsSource = fileURLToPath(new URL('../models/src/index.ts', import.meta.url));

export default defineConfig(libraryBuild({ dts: { compilerOptions: { paths: { '@difbfsr/models': [modelsSource] } } } }));
