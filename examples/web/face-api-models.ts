import { readFileSync, readdirSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import type { Plugin } from 'vite';
import { FACE_API_MODEL_DIR } from './src/static-paths.js';

/** The networks `FaceApiDetector` loads with its default `'ssd'` network: detector and 68 landmarks. */
const NETWORKS = ['ssd_mobilenetv1_model', 'face_landmark_68_model'];

/** face-api's `model/` folder in the `@vladmandic/face-api` package that `@difbfsr/faces` installed. */
function installedModelDir(): string {
  const faces = createRequire(new URL('../../packages/faces/package.json', import.meta.url));
  return join(dirname(faces.resolve('@vladmandic/face-api/package.json')), 'model');
}

/** The weight files used (manifests and shards), by name. */
function modelFiles(dir: string): string[] {
  return readdirSync(dir).filter((name) => NETWORKS.some((net) => name.startsWith(`${net}-`) || name.startsWith(`${net}.`)));
}

/**
 * Serves the face detector's weights from the installed npm package as static files under
 * {@link FACE_API_MODEL_DIR}: from node_modules in the dev server, copied into the build.
 * Nothing is committed or downloaded.
 */
export function faceApiModels(): Plugin {
  const dir = installedModelDir();
  const files = modelFiles(dir);
  return {
    name: 'difbfsr-face-api-models',
    configureServer(server) {
      server.middlewares.use(`/${FACE_API_MODEL_DIR}/`, (req, res, next) => {
        const name = (req.url ?? '').replace(/^\//, '').split('?')[0];
        if (!files.includes(name)) return next();
        res.setHeader('Content-Type', name.endsWith('.json') ? 'application/json' : 'application/octet-stream');
        res.end(readFileSync(join(dir, name)));
      });
    },
    generateBundle() {
      for (const name of files) this.emitFile({ type: 'asset', fileName: `${FACE_API_MODEL_DIR}/${name}`, source: readFileSync(join(dir, name)) });
    },
  };
}
