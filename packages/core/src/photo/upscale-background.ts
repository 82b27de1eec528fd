import type { PhotoRun } from './photo-run.js';
import type { FloatImage } from '../types/image.js';
import { upscaleLanczos } from './upscale-lanczos.js';

/** The photo's RGB and alpha upscaled with Lanczos3, with progress per tile. */
export async function upscaleBackground(run: PhotoRun): Promise<{ rgb: FloatImage; alpha?: FloatImage }> {
  const { pixels, scale, signal } = run;
  const { width, height } = pixels.rgb;
  const onTile = (done: number, total: number) => run.progress({ stage: 'background', done, total });
  const rgb = await upscaleLanczos({ ...pixels.rgb, channels: 3 }, scale, { signal, onTile });
  const alpha = pixels.alpha ? await upscaleLanczos({ data: pixels.alpha, width, height, channels: 1 }, scale, { signal }) : undefined;
  return { rgb, alpha };
}
