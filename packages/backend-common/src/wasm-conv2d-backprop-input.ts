import { Conv2D, Conv2DBackpropInput, PadV2, Reshape, Reverse, Slice, Transpose, type Conv2DBackpropInputAttrs, type KernelBackend, type KernelConfig, type KernelFunc, type NamedAttrMap, type TensorInfo } from '@tensorflow/tfjs-core';
import { channelsLastGeometry } from './conv-channels-last.js';
import { KernelScratch } from './wasm-kernel-scratch.js';

/**
 * Largest `strideHeight * strideWidth` for which the forward-convolution
 * formulation is used. Zero insertion multiplies its work by this product;
 * bench/conv-grad.ts measured it ~10x faster than the original kernel at
 * stride 1 and ~2.5x at stride 2, so strides 1 and 2 go through the forward
 * convolution and larger ones keep the original kernel.
 */
export const MAX_FORWARD_FORMULATION_STRIDE_AREA = 4;

/**
 * `Conv2DBackpropInput` for the wasm backend as one forward convolution (the
 * XNNPACK path, ~30 GFLOP/s) instead of tfjs-backend-wasm's direct loop
 * (~3 GFLOP/s):
 *
 *   dx = conv2d(zeroInsert(dy, strides), flip180(W) with in/out channels swapped,
 *               stride 1, pads (fH - 1 - top, fW - 1 - left) before)
 *
 * Shapes it cannot express (NCHW, large strides, explicit pads wider than the
 * filter) are delegated to `original`, the kernel it replaces.
 */
export function createWasmConv2DBackpropInputConfig(original: KernelConfig): KernelConfig {
  const kernelFunc: KernelFunc = (args) => {
    const { inputs, attrs, backend } = args;
    const { dy, filter } = inputs as { dy: TensorInfo; filter: TensorInfo };
    const convAttrs = attrs as unknown as Conv2DBackpropInputAttrs;
    if (convAttrs.dataFormat !== 'NHWC') return original.kernelFunc(args);
    const g = channelsLastGeometry(Conv2DBackpropInput, convAttrs.inputShape, filter.shape as [number, number, number, number], convAttrs);
    const { n, h, w, cIn, cOut, fH, fW, sH, sW, oH, oW } = g;
    const padBefore = [fH - 1 - g.top, fW - 1 - g.left] as const;
    if (sH * sW > MAX_FORWARD_FORMULATION_STRIDE_AREA || padBefore[0] < 0 || padBefore[1] < 0) {
      return original.kernelFunc(args);
    }
    // Zero insertion leaves s-1 trailing zeros after the last row/column; the
    // pad after is what makes the output exactly h x w (negative: crop).
    const padAfter = [h + fH - 1 - oH * sH - padBefore[0], w + fW - 1 - oW * sW - padBefore[1]] as const;

    const scratch = new KernelScratch(backend as KernelBackend, 'wasm');
    try {
      const flipped = scratch.run(Reverse, { x: filter }, { dims: [0, 1] });
      const swapped = scratch.run(Transpose, { x: flipped }, { perm: [0, 1, 3, 2] });
      const spread = sH === 1 && sW === 1 ? dy : insertZeros(scratch, dy, n, oH, oW, cOut, sH, sW);
      const full = scratch.run(Conv2D, { x: spread, filter: swapped }, {
        strides: [1, 1],
        pad: [[0, 0], [padBefore[0], Math.max(padAfter[0], 0)], [padBefore[1], Math.max(padAfter[1], 0)], [0, 0]],
        dataFormat: 'NHWC',
        dilations: [1, 1],
      } as unknown as NamedAttrMap);
      if (padAfter[0] >= 0 && padAfter[1] >= 0) return scratch.keep(full);
      return scratch.keep(scratch.run(Slice, { x: full }, { begin: [0, 0, 0, 0], size: [n, h, w, cIn] }));
    } finally {
      scratch.release();
    }
  };
  return {
    kernelName: Conv2DBackpropInput,
    backendName: 'wasm',
    kernelFunc,
    setupFunc: original.setupFunc,
    disposeFunc: original.disposeFunc,
  };
}

/** `[n, oH, oW, c]` → `[n, oH*sH, oW*sW, c]` with dy at multiples of the strides and zeros elsewhere. */
function insertZeros(
  scratch: KernelScratch,
  dy: TensorInfo,
  n: number,
  oH: number,
  oW: number,
  c: number,
  sH: number,
  sW: number,
): TensorInfo {
  const cells = scratch.run(Reshape, { x: dy }, { shape: [n, oH, 1, oW, 1, c] });
  const padded = scratch.run(PadV2, { x: cells }, {
    paddings: [[0, 0], [0, 0], [0, sH - 1], [0, 0], [0, sW - 1], [0, 0]],
    constantValue: 0,
  } as unknown as NamedAttrMap);
  return scratch.run(Reshape, { x: padded }, { shape: [n, oH * sH, oW * sW, c] });
}
