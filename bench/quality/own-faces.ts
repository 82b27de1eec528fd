/**
 * Faces of our own for pictures that go into the repository: samples of the bundled prior
 * (seeded ancestral sampling), written as PNGs. The dev faces of ../shared are non-commercial and
 * never leave bench/out, so committed image grids run the quality bench on these instead:
 *
 *   node --import tsx bench/quality/own-faces.ts [--count 4] [--first-seed 0] [--respacing 100] [--out bench/out/own-faces]
 *   pnpm bench quality --hr-dir bench/out/own-faces --limit 4 --cases 0,7 --out bench/out/quality-own
 */
import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';
import * as tf from '@tensorflow/tfjs-core';
import { init } from '../../packages/backend-node/src/index.js';
import { diffusionTables, getDefaultPrior, linearSchedule, sampleAncestral, toPixels } from '../../packages/core/src/index.js';
import '../../packages/models/src/index.js'; // registers the bundled face prior as the default
import { encodePng } from '../../packages/eval/src/index.js';

const { values } = parseArgs({
  options: {
    count: { type: 'string', default: '4' },
    'first-seed': { type: 'string', default: '0' },
    respacing: { type: 'string', default: '100' },
    out: { type: 'string', default: fileURLToPath(new URL('../out/own-faces', import.meta.url)) },
  },
});

await init();
const prior = await getDefaultPrior({ backend: 'auto' });
const tables = diffusionTables(linearSchedule(values.respacing));
mkdirSync(values.out, { recursive: true });
const first = Number(values['first-seed']);
for (let i = 0; i < Number(values.count); i++) {
  const seed = first + i;
  const x = await sampleAncestral(prior, tables, { seed });
  const px = toPixels(x);
  const [h, w] = px.shape;
  const data = new Uint8Array(await px.data());
  tf.dispose([x, px]);
  const file = join(values.out, `prior_seed${String(seed).padStart(3, '0')}.png`);
  writeFileSync(file, await encodePng({ width: w, height: h, data }));
  console.log(`wrote ${file} (${prior.name}, respacing ${values.respacing}, seed ${seed})`);
}
