import { BatchMatMul, Concat, Conv2DBackpropFilter, PadV2, Reshape, Slice, Transpose, type Conv2DBackpropFilterAttrs, type KernelBackend, type KernelConfig, type KernelFunc, type NamedAttrMap, type TensorInfo } from '@tensorflow/tfjs-core';
import { channelsLastGeometry } from './conv-channels-last.js';
import { KernelScratch } from './wasm-kernel-scratch.js';

/**
 * Filter gradient of an NHWC convolution as im2col + one matrix product:
 *
 *   dW[i, j, c, o] = sum over (n, y, x) of xPadded[n, y*sH + i, x*sW + j, c] * dy[n, y, x, o]
 *
 * The im2col matrix is built transposed, `cols[(i*fW + j)*Cin + c, (n, y, x)]`,
 * so that `dW = cols · dy` is a plain (non-transposed) BatchMatMul, the fast
 * XNNPACK path of the wasm backend (its transposeA path is ~10x slower).
 *
 * The strided taps `xPadded[:, i::sH, j::sW, :]` are read as unit-stride
 * slices of a phase-split copy of the input (`[Cin*N, sH*sW, Hq, Wq]`, built
 * with one Transpose), because the wasm StridedSlice kernel for non-unit
 * strides is element-by-element and dominated the whole gradient.
 */
const conv2DBackpropFilterWasm: KernelFunc = ({ inputs, attrs, backend }) => {
  const { x, dy } = inputs as { x: TensorInfo; dy: TensorInfo };
  const convAttrs = attrs as unknown as Conv2DBackpropFilterAttrs;
  const g = channelsLastGeometry(Conv2DBackpropFilter, x.shape as [number, number, number, number], convAttrs.filterShape, convAttrs);
  const { n, h, w, cIn, cOut, fH, fW, sH, sW, oH, oW, top, left } = g;
  // Phase grid: padded extent rounded up to whole strides, large enough for every tap.
  const hq = Math.max(Math.ceil((top + h) / sH), Math.floor((fH - 1) / sH) + oH);
  const wq = Math.max(Math.ceil((left + w) / sW), Math.floor((fW - 1) / sW) + oW);
  const rows = n * oH * oW;

  const scratch = new KernelScratch(backend as KernelBackend, 'wasm');
  try {
    const xT = scratch.run(Transpose, { x }, { perm: [3, 0, 1, 2] });
    const xP = scratch.run(PadV2, { x: xT }, {
      paddings: [[0, 0], [0, 0], [top, sH * hq - top - h], [left, sW * wq - left - w]],
      constantValue: 0,
    } as unknown as NamedAttrMap);
    const phases = splitPhases(scratch, xP, cIn * n, sH, sW, hq, wq);
    const taps: TensorInfo[] = [];
    for (let i = 0; i < fH; i++) {
      for (let j = 0; j < fW; j++) {
        const begin = [0, (i % sH) * sW + (j % sW), Math.floor(i / sH), Math.floor(j / sW)];
        const tap = scratch.run(Slice, { x: phases }, { begin, size: [cIn * n, 1, oH, oW] });
        taps.push(scratch.run(Reshape, { x: tap }, { shape: [cIn, rows] }));
      }
    }
    const cols = taps.length === 1 ? taps[0] : scratch.run(Concat, taps, { axis: 0 });
    const dy2 = scratch.run(Reshape, { x: dy }, { shape: [rows, cOut] });
    const product = scratch.run(BatchMatMul, { a: cols, b: dy2 }, { transposeA: false, transposeB: false });
    return scratch.keep(scratch.run(Reshape, { x: product }, { shape: [fH, fW, cIn, cOut] }));
  } finally {
    scratch.release();
  }
};

/** `[C, sH*hq, sW*wq]`-shaped data (C = Cin*N) as `[C, sH*sW, hq, wq]`, phase (a, b) at index a*sW + b. */
function splitPhases(
  scratch: KernelScratch,
  xP: TensorInfo,
  c: number,
  sH: number,
  sW: number,
  hq: number,
  wq: number,
): TensorInfo {
  if (sH === 1 && sW === 1) return scratch.run(Reshape, { x: xP }, { shape: [c, 1, hq, wq] });
  const split = scratch.run(Reshape, { x: xP }, { shape: [c, hq, sH, wq, sW] });
  const grouped = scratch.run(Transpose, { x: split }, { perm: [0, 2, 4, 1, 3] });
  return scratch.run(Reshape, { x: grouped }, { shape: [c, sH * sW, hq, wq] });
}

/** `Conv2DBackpropFilter` for the wasm backend (tfjs-backend-wasm 4.22 has none). */
export const wasmConv2DBackpropFilterConfig: KernelConfig = {
  kernelName: Conv2DBackpropFilter,
  backendName: 'wasm',
  kernelFunc: conv2DBackpropFilterWasm,
};
