/**
 * Convolution-gradient benchmark on the WASM backend:
 *
 *   node --import tsx bench/conv-grad.ts [--threads 1,2] [--repeats 5]
 *
 * For a 3x3 128->128 convolution at 64x64 (stride 1, and stride 2 for the strided code paths) and
 * the SRM's 3x3 64->64 at 16x16, 32x32 and 64x64 ('same', batch 1) it times, per thread count: the
 * forward conv (reference), tfjs'
 * original Conv2DBackpropInput kernel, ours (forward-convolution formulation), our
 * Conv2DBackpropFilter (im2col + one matmul) and, as the alternative considered for it, the filter
 * gradient as one dilated forward convolution. All have the same FLOP count; the table gives
 * GFLOP/s and speed relative to the forward conv measured in the same run (median of --repeats
 * after two warm-up runs), plus the largest difference of ours from the original kernel and from
 * the dilated formulation, relative to their largest value.
 */
import { parseArgs } from 'node:util';
import * as tf from '@tensorflow/tfjs-core';
import '@tensorflow/tfjs-backend-wasm';
import { init } from '@difbfsr/backend-node';

const { values } = parseArgs({ options: { threads: { type: 'string', default: '1,2' }, repeats: { type: 'string', default: '5' } } });
const threadCounts = values.threads.split(',').map(Number);
const repeats = Number(values.repeats);

/** tfjs-backend-wasm's own input-gradient kernel, captured before init() replaces it. */
const originalInputKernel = tf.getKernel('Conv2DBackpropInput', 'wasm');
if (originalInputKernel == null) throw new Error('tfjs-backend-wasm did not register Conv2DBackpropInput');

interface Shape {
  label: string;
  size: number;
  cIn: number;
  cOut: number;
  stride: number;
}

const SHAPES: Shape[] = [
  { label: '3x3 128->128 @64x64', size: 64, cIn: 128, cOut: 128, stride: 1 },
  { label: '3x3 128->128 @64x64, stride 2', size: 64, cIn: 128, cOut: 128, stride: 2 },
  { label: 'SRM 3x3 64->64 @16x16', size: 16, cIn: 64, cOut: 64, stride: 1 },
  { label: 'SRM 3x3 64->64 @32x32', size: 32, cIn: 64, cOut: 64, stride: 1 },
  { label: 'SRM 3x3 64->64 @64x64', size: 64, cIn: 64, cOut: 64, stride: 1 },
];

/** Median milliseconds of `run` (which returns what it allocated, to be freed untimed). */
function time(run: () => () => void): number {
  const times: number[] = [];
  for (let i = 0; i < repeats + 2; i++) {
    const start = performance.now();
    const free = run();
    const ms = performance.now() - start;
    free();
    if (i >= 2) times.push(ms);
  }
  return times.sort((a, b) => a - b)[Math.floor(times.length / 2)];
}

function relDiff(a: tf.Tensor, b: tf.Tensor): number {
  return tf.tidy(() => tf.max(tf.abs(tf.sub(a, b))).dataSync()[0] / tf.max(tf.abs(b)).dataSync()[0]);
}

/**
 * Filter gradient of a 'same' conv as one forward convolution dilated by the stride: batch and
 * channels swapped, dy as the filter.
 */
function filterGradDilated(x: tf.Tensor4D, dy: tf.Tensor4D, k: number, stride: number): tf.Tensor4D {
  return tf.tidy(() => {
    const [, , , cIn] = x.shape;
    const cOut = dy.shape[3];
    const { top, bottom, left, right } = tf.backend_util.computeConv2DInfo(x.shape, [k, k, cIn, cOut], stride, 1, 'same').padInfo;
    const padded = tf.pad(x, [[0, 0], [top, bottom], [left, right], [0, 0]]);
    const out = tf.conv2d(tf.transpose(padded, [3, 1, 2, 0]), tf.transpose(dy, [1, 2, 0, 3]), 1, 'valid', 'NHWC', stride);
    return tf.transpose(tf.slice(out, [0, 0, 0, 0], [cIn, k, k, cOut]), [1, 2, 0, 3]);
  });
}

interface Row {
  label: string;
  threads: number;
  gflop: number;
  ms: Record<'forward' | 'inputOriginal' | 'inputOurs' | 'filterOurs' | 'filterDilated', number>;
  inputDiff: number;
  filterDiff: number;
}

function measure(shape: Shape, threads: number): Row {
  const { size, cIn, cOut, stride } = shape;
  const outSize = Math.ceil(size / stride);
  const x = tf.randomUniform([1, size, size, cIn], -1, 1, 'float32', 1) as tf.Tensor4D;
  const w = tf.randomUniform([3, 3, cIn, cOut], -1, 1, 'float32', 2) as tf.Tensor4D;
  const dy = tf.randomUniform([1, outSize, outSize, cOut], -1, 1, 'float32', 3) as tf.Tensor4D;
  const backend = tf.backend();
  const inputAttrs = { strides: stride, pad: 'same', dataFormat: 'NHWC', inputShape: x.shape };
  const filterAttrs = { strides: stride, pad: 'same', dataFormat: 'NHWC', filterShape: w.shape } as unknown as tf.NamedAttrMap;
  const original = (): tf.TensorInfo =>
    originalInputKernel!.kernelFunc({ inputs: { dy, filter: w }, attrs: inputAttrs as unknown as tf.NamedAttrMap, backend }) as tf.TensorInfo;
  const filterOurs = (): tf.Tensor => tf.engine().runKernel('Conv2DBackpropFilter', { x, dy }, filterAttrs) as tf.Tensor;
  const dispose = (t: tf.Tensor) => () => t.dispose();

  const ms = {
    forward: time(() => dispose(tf.conv2d(x, w, stride, 'same'))),
    inputOriginal: time(() => {
      const info = original();
      return () => backend.disposeData(info.dataId);
    }),
    inputOurs: time(() => dispose(tf.conv2dTranspose(dy, w, x.shape, stride, 'same'))),
    filterOurs: time(() => dispose(filterOurs())),
    filterDilated: time(() => dispose(filterGradDilated(x, dy, 3, stride))),
  };

  const originalInfo = original();
  const originalDx = tf.engine().makeTensorFromTensorInfo(originalInfo);
  const oursDx = tf.conv2dTranspose(dy, w, x.shape, stride, 'same');
  const oursDw = filterOurs();
  const dilatedDw = filterGradDilated(x, dy, 3, stride);
  const row: Row = {
    label: shape.label,
    threads,
    gflop: (2 * outSize * outSize * cIn * cOut * 9) / 1e9,
    ms,
    inputDiff: relDiff(oursDx, originalDx),
    filterDiff: relDiff(oursDw, dilatedDw),
  };
  tf.dispose([x, w, dy, originalDx, oursDx, oursDw, dilatedDw]);
  return row;
}

const rows: Row[] = [];
for (const threads of threadCounts) {
  if (tf.engine().registry['wasm'] != null) tf.removeBackend('wasm'); // a fresh module per thread count
  const active = await init({ prefer: ['wasm'], threads });
  if (active.threads !== threads) throw new Error(`asked for ${threads} threads, the wasm module runs ${active.threads}`);
  for (const shape of SHAPES) rows.push(measure(shape, threads));
}

const cell = (row: Row, key: keyof Row['ms']): string => {
  const gflops = row.gflop / (row.ms[key] / 1e3);
  return `${row.ms[key].toFixed(1)} ms, ${gflops.toFixed(1)} GFLOP/s, ${(row.ms.forward / row.ms[key]).toFixed(2)}x`;
};

console.log(`\nConv gradients on WASM (SIMD), batch 1, 'same'; median of ${repeats}; x = speed relative to the forward conv of the same row\n`);
console.log('| conv | threads | forward | backprop-input, tfjs original | backprop-input, ours | backprop-filter, ours | backprop-filter, dilated conv | max rel. diff ours vs original / dilated |');
console.log('|---|---:|---|---|---|---|---|---|');
for (const r of rows) {
  console.log(
    `| ${r.label} | ${r.threads} | ${cell(r, 'forward')} | ${cell(r, 'inputOriginal')} | ${cell(r, 'inputOurs')} | ` +
      `${cell(r, 'filterOurs')} | ${cell(r, 'filterDilated')} | ${r.inputDiff.toExponential(1)} / ${r.filterDiff.toExponential(1)} |`,
  );
}
if (threadCounts.length > 1) {
  const base = threadCounts[0];
  console.log(`\nForward-conv speed-up over ${base} thread(s), same shape:`);
  for (const r of rows.filter((row) => row.threads !== base)) {
    const ref = rows.find((row) => row.threads === base && row.label === r.label)!;
    console.log(`- ${r.label}, ${r.threads} threads: ${(ref.ms.forward / r.ms.forward).toFixed(2)}x`);
  }
}
