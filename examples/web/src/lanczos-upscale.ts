import { upscaleLanczos, type RawImage } from '@difbfsr/core';

/**
 * Lanczos3 upscaling of an RGBA image by `factor`, as `restorePhoto` upscales the background: the
 * "before" of a photo (a Uint8ClampedArray rounds and clamps the values).
 */
export async function lanczosUpscale(image: RawImage, factor: number, signal: AbortSignal): Promise<RawImage> {
  const plane = { data: Float32Array.from(image.data), width: image.width, height: image.height, channels: 4 };
  const upscaled = await upscaleLanczos(plane, factor, { signal });
  return { data: Uint8ClampedArray.from(upscaled.data), width: upscaled.width, height: upscaled.height, channels: 4 };
}
