import { backend_util } from '@tensorflow/tfjs-core';
import { DifbfsrError } from '@difbfsr/core';

type Conv2DPad = 'valid' | 'same' | number | backend_util.ExplicitPadding;

/** Geometry of a dilation-1 NHWC 2-D convolution, with errors typed for the library. */
export function channelsLastConvInfo(
  kernelName: string,
  inputShape: [number, number, number, number],
  filterShape: [number, number, number, number],
  strides: [number, number] | number,
  pad: Conv2DPad,
  dataFormat: 'NHWC' | 'NCHW',
  dimRoundingMode: 'floor' | 'round' | 'ceil' | undefined,
): backend_util.Conv2DInfo {
  if (dataFormat !== 'NHWC') {
    throw new DifbfsrError('INVALID_OPTION', `${kernelName} on wasm supports dataFormat 'NHWC' only, got '${dataFormat}'`);
  }
  return backend_util.computeConv2DInfo(
    inputShape,
    filterShape,
    strides,
    1,
    pad,
    dimRoundingMode,
    false,
    'channelsLast',
  );
}
