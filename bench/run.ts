/**
 * `pnpm bench <name> [args]`: runs one benchmark script from this folder.
 * Each prints a markdown table; the results recorded in docs/benchmarks.md come from these commands.
 */
import { spawnSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import { fileURLToPath } from 'node:url';

const BENCHES: Record<string, string> = {
  core: 'core.ts',
  'conv-grad': 'conv-grad.ts',
  unet: 'unet-forward.ts',
  'checkpoint-load': 'checkpoint-load.ts',
  onnx: 'onnx.ts',
  quality: 'quality.ts',
  iqa: 'iqa.ts',
  'pd-plot': 'perception-distortion-plot.ts',
  gaussian: 'gaussian.ts',
  'knob-plot': 'knob-plot.ts',
};

const [name, ...args] = process.argv.slice(2);
const file = name ? BENCHES[name] : undefined;
if (!file) {
  console.error(`usage: pnpm bench <${Object.keys(BENCHES).join('|')}> [args]`);
  process.exit(2);
}
const path = fileURLToPath(new URL(file, import.meta.url));
if (!existsSync(path)) {
  console.error(`benchmark script ${file} is missing`);
  process.exit(2);
}
const r = spawnSync(process.execPath, ['--expose-gc', '--import', 'tsx', path, ...args], { stdio: 'inherit' });
process.exit(r.status ?? 1);
