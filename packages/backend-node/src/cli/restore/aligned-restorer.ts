import { restoreWithInfo, type RestoreOptions } from '@difbfsr/core';
import type { PixelImage } from './image-file.js';
import type { ImageRestorer } from './image-restorer.js';

/**
 * The restorer for inputs that are already aligned low-resolution face crops: each image is one
 * face, restored whole with `restoreWithInfo` (its size must be the prior's resolution / scale).
 */
export function alignedRestorer(options: RestoreOptions): ImageRestorer {
  return async (image, { onStep, signal }) => {
    const { output, info } = await restoreWithInfo(image, {
      ...options,
      signal,
      onProgress: ({ phase, step, total }) => onStep(1, 1, { phase, step, total }),
    });
    const restored: PixelImage = { data: Uint8Array.from(output.data), width: output.width, height: output.height, channels: image.channels };
    return {
      image: restored,
      faces: [
        {
          report: {
            box: { x: 0, y: 0, width: image.width, height: image.height },
            seed: info.seed,
            steps: info.steps,
            prior: info.prior,
            collapsed: info.collapsed,
            lrRmse: info.lrRmse,
            timeMs: info.timeMs,
          },
          input: image,
          restored,
        },
      ],
    };
  };
}
