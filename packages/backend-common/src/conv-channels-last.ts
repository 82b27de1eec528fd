import { backend_util } from '@tensorflow/tfjs-core';
import { DifbfsrError } from '@difbfsr/core';

type Conv2DPad = 'valid' | 'same' | number | backend_util.ExplicitPadding;

/** The attributes of tfjs' Conv2D gradient kernels that fix the geometry. */
export interface ConvAttrs {
  strides: [number, number] | number;
  pad: Conv2DPad;
  dataFormat: 'NHWC' | 'NCHW';
  dimRoundingMode?: 'floor' | 'round' | 'ceil';
}

/** Sizes of a dilation-1 NHWC 2-D convolution, in the short names the kernels compute with. */
export interface ConvGeometry {
  /** Batch, input height and width, input and output channels. */
  n: number;
  h: number;
  w: number;
  cIn: number;
  cOut: number;
  /** Filter height and width, strides, output height and width. */
  fH: number;
  fW: number;
  sH: number;
  sW: number;
  oH: number;
  oW: number;
  /** Padding before the first row and column. */
  top: number;
  left: number;
}

/**
 * Geometry of a dilation-1 NHWC 2-D convolution, with errors typed for the library.
 *
 * @throws DifbfsrError `INVALID_OPTION` for another data format.
 */
export function channelsLastGeometry(
  kernelName: string,
  inputShape: [number, number, number, number],
  filterShape: [number, number, number, number],
  attrs: ConvAttrs,
): ConvGeometry {
  if (attrs.dataFormat !== 'NHWC') {
    throw new DifbfsrError('INVALID_OPTION', `${kernelName} on wasm supports dataFormat 'NHWC' only, got '${attrs.dataFormat}'`);
  }
  const info = backend_util.computeConv2DInfo(inputShape, filterShape, attrs.strides, 1, attrs.pad, attrs.dimRoundingMode, false, 'channelsLast');
  return {
    n: info.batchSize,
    h: info.inHeight,
    w: info.inWidth,
    cIn: info.inChannels,
    cOut: info.outChannels,
    fH: info.filterHeight,
    fW: info.filterWidth,
    sH: info.strideHeight,
    sW: info.strideWidth,
    oH: info.outHeight,
    oW: info.outWidth,
    top: info.padInfo.top,
    left: info.padInfo.left,
  };
}
