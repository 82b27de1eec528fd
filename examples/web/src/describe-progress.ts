import type { PhotoProgress, RawImage, RestoreProgress } from '@difbfsr/core';

/** A progress report as the page shows it: the bar's fill, its label, and the x0 estimate when there is one. */
export interface ProgressView {
  fraction: number;
  text: string;
  x0?: RawImage;
}

function describeRestore({ phase, step, total, x0 }: RestoreProgress): ProgressView {
  return { fraction: step / total, text: `${phase === 'warmup' ? 'warm-up' : 'step'} ${step}/${total}`, x0 };
}

/** The bar shows the current stage: detection passes, background tiles, or the faces' steps. */
export function describeProgress(progress: RestoreProgress | PhotoProgress): ProgressView {
  if (!('stage' in progress)) return describeRestore(progress);
  switch (progress.stage) {
    case 'detect':
      return { fraction: progress.done / progress.total, text: `finding faces ${progress.done}/${progress.total}` };
    case 'background':
      return { fraction: progress.done / progress.total, text: `upscaling the photo ${progress.done}/${progress.total}` };
    case 'face': {
      const { face, faces, step, restore } = progress;
      const within = restore ? describeRestore(restore) : { fraction: step === 'paste' ? 1 : 0, text: step === 'align' ? 'aligning' : step === 'paste' ? 'pasting back' : 'starting' };
      return { fraction: (face - 1 + within.fraction) / faces, text: `face ${face} of ${faces}: ${within.text}`, x0: within.x0 };
    }
  }
}
