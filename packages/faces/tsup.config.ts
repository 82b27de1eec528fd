import { defineConfig } from 'tsup';
import { libraryBuild } from '../../tsup.base.js';

// '#face-api' is resolved at run time through this package's "imports" map: face-api's Node build
// in Node, its ES module build (on the application's tfjs) in browsers.
export default defineConfig(libraryBuild({ external: ['#face-api'] }));
