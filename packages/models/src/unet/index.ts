export { UNet, type UNetOptions, type UNetActivations } from './unet.js';
export { resolveUNetConfig, type UNetConfig, type ResolvedUNetConfig } from './config.js';
export { unetTensorList, unetParamCount, type TorchTensorSpec } from './tensor-list.js';
export { planUNet, type UNetPlan, type BlockPlan, type LayerPlan, type ConvPlan, type ResBlockPlan, type AttentionPlan, type DownsamplePlan, type UpsamplePlan } from './plan.js';
export { checkStoredConfig } from './stored-config.js';
export { unetConfigOf } from './checkpoint-config.js';
export { checkUNetCall } from './check-call.js';
export { unetSpecOf, type UNetSpec } from './unet-spec.js';
