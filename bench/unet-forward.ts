/**
 * U-Net forward benchmark: tfjs WASM against PyTorch (CPU) on the same architecture.
 *
 *   node --import tsx bench/unet-forward.ts [--config ffhq256-p2|ffhq512-difface|...|tiny-a|prior64]
 *       [--size N] [--batch B] [--repeats R] [--no-torch]
 *
 * Builds the configuration with seeded random weights on the WASM backend, times `forward` at
 * `size` x `size` (default: the config's resolution) and reports time per forward (median of R
 * after a warm-up) and peak memory. In the same run it times the same configuration in PyTorch
 * through bench/unet_forward_torch.py (run with /usr/bin/python3, same thread count as tfjs; it
 * skips with a message when torch is absent) and prints a markdown table with the ratio.
 */
import { spawnSync } from 'node:child_process';
import { createRequire } from 'node:module';
import { fileURLToPath } from 'node:url';
import { torchConfig } from './torch-config.js';
import { getPreset, UNet, unetParamCount, UNET_PRESETS, type UNetConfig } from '../packages/models/src/index.js';

const req = createRequire(new URL('../packages/models/package.json', import.meta.url));
const tf = req('@tensorflow/tfjs-core') as typeof import('@tensorflow/tfjs-core');
const wasm = req('@tensorflow/tfjs-backend-wasm') as typeof import('@tensorflow/tfjs-backend-wasm');

/** Small configurations for quick runs (not published checkpoints). */
const BENCH_CONFIGS: Record<string, UNetConfig> = {
  /** The tiny-a test fixture's architecture (32 px). */
  'tiny-a': {
    image_size: 32,
    num_channels: 32,
    num_res_blocks: 1,
    channel_mult: [1, 2],
    attention_resolutions: '16',
    num_heads: 4,
    num_head_channels: 16,
    use_scale_shift_norm: true,
    resblock_updown: true,
    learn_sigma: true,
  },
  /** The size of the bundled 64 px prior. */
  prior64: {
    image_size: 64,
    num_channels: 64,
    num_res_blocks: 2,
    channel_mult: [1, 2, 2, 2],
    attention_resolutions: '16,8',
    num_head_channels: 64,
    use_scale_shift_norm: true,
    resblock_updown: true,
    learn_sigma: true,
  },
};

function option(name: string): string | undefined {
  const i = process.argv.indexOf(`--${name}`);
  return i >= 0 ? process.argv[i + 1] : undefined;
}

interface TorchResult {
  skipped?: string;
  ms_per_forward?: number;
  threads?: number;
  peak_rss_mb?: number;
  params?: number;
  torch?: string;
}

function runTorch(config: UNetConfig, size: number, batch: number, repeats: number, threads: number): TorchResult {
  const script = fileURLToPath(new URL('unet_forward_torch.py', import.meta.url));
  const args = [script, '--config', torchConfig(config), '--size', `${size}`, '--batch', `${batch}`];
  args.push('--threads', `${threads}`, '--repeats', `${repeats}`);
  const env = { ...process.env, OMP_NUM_THREADS: `${threads}`, OPENBLAS_NUM_THREADS: `${threads}` };
  const r = spawnSync('/usr/bin/python3', args, { encoding: 'utf8', env, maxBuffer: 1 << 20 });
  if (r.error) return { skipped: `cannot run /usr/bin/python3 (${r.error.message})` };
  if (r.status !== 0) return { skipped: `unet_forward_torch.py failed: ${r.stderr.trim().split('\n').pop()}` };
  return JSON.parse(r.stdout.trim().split('\n').pop()!) as TorchResult;
}

const median = (xs: number[]): number => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)];
const mb = (bytes: number): string => `${(bytes / 2 ** 20).toFixed(0)} MiB`;

async function main(): Promise<void> {
  const name = option('config') ?? 'ffhq256-p2';
  const config = BENCH_CONFIGS[name] ?? (UNET_PRESETS.some((p) => p.name === name) ? getPreset(name).config : undefined);
  if (!config) {
    const known = [...UNET_PRESETS.map((p) => p.name), ...Object.keys(BENCH_CONFIGS)];
    throw new Error(`unknown --config ${name}; known: ${known.join(', ')}`);
  }
  const size = Number(option('size') ?? config.image_size);
  const batch = Number(option('batch') ?? 1);
  const repeats = Number(option('repeats') ?? 3);

  await tf.setBackend('wasm');
  const threads = wasm.getThreadsCount();
  const t0 = performance.now();
  const net = UNet.random(config, 1, { name });
  const buildS = (performance.now() - t0) / 1000;
  const x = tf.randomUniform([batch, size, size, 3], -1, 1, 'float32', 2) as import('@tensorflow/tfjs-core').Tensor4D;
  const t = new Array<number>(batch).fill(500);
  const times: number[] = [];
  for (let i = 0; i <= repeats; i++) {
    const start = performance.now();
    const out = net.forward(x, t);
    const finite = tf.tidy(() => tf.all(tf.isFinite(out)).dataSync()[0]);
    if (i > 0) times.push(performance.now() - start);
    out.dispose();
    if (!finite) throw new Error('non-finite U-Net output');
  }
  const tfjsMs = median(times);
  const peakRss = process.resourceUsage().maxRSS * 1024;
  const heap = (tf.backend() as unknown as { wasm: { HEAPU8: Uint8Array } }).wasm.HEAPU8.byteLength;
  net.dispose();
  x.dispose();

  const torch = process.argv.includes('--no-torch')
    ? { skipped: '--no-torch' }
    : runTorch(config, size, batch, repeats, threads);
  const torchMs = torch.ms_per_forward;
  const params = unetParamCount(config);

  console.log(`\nU-Net forward, ${name}, ${(params / 1e6).toFixed(1)}M params, input ${batch}x${size}x${size}x3, ` +
    `median of ${repeats} after a warm-up (tfjs build with random weights: ${buildS.toFixed(1)} s)\n`);
  console.log('| config | params | input | tfjs-wasm ms/forward | PyTorch CPU ms/forward | tfjs / PyTorch | 100 forwards (tfjs) | tfjs peak RSS | WASM heap | PyTorch peak RSS |');
  console.log('|---|---|---|---|---|---|---|---|---|---|');
  const torchCell = torchMs === undefined ? `skipped: ${torch.skipped}` : `${torchMs.toFixed(0)} (${torch.threads} thread${torch.threads === 1 ? '' : 's'}, torch ${torch.torch})`;
  const ratio = torchMs === undefined ? 'n/a' : `${(tfjsMs / torchMs).toFixed(2)}x`;
  const torchRss = torch.peak_rss_mb === undefined ? 'n/a' : `${torch.peak_rss_mb.toFixed(0)} MiB`;
  console.log(
    `| ${name} | ${(params / 1e6).toFixed(2)}M | ${batch}x${size}x${size} | ${tfjsMs.toFixed(0)} (${threads} thread${threads === 1 ? '' : 's'}) | ` +
      `${torchCell} | ${ratio} | ${((tfjsMs * 100) / 1000).toFixed(0)} s | ${mb(peakRss)} | ${mb(heap)} | ${torchRss} |`,
  );
  if (torch.params !== undefined && torch.params !== params) {
    throw new Error(`PyTorch module has ${torch.params} parameters, tfjs ${params}: not the same architecture`);
  }
}

await main();
