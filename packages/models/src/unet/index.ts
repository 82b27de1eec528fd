export { UNet, type UNetOptions, type UNetActivations } from './unet.js';
export { resolveUNetConfig, type UNetConfig, type ResolvedUNetConfig } from './config.js';
export { unetTensorList, unetParamCount, type TorchTensorSpec } from './tensor-list.js';
