import type { FaceReport, RawImage } from '@difbfsr/core';
import type { JobReport } from './protocol.js';

const seconds = (ms: number) => `${(ms / 1000).toFixed(1)} s`;

function describeFaces(faces: FaceReport[]): string {
  const restored = faces.filter((f) => !f.skipped);
  if (faces.length === 0) return 'No face found: the photo was upscaled with Lanczos3 only.';
  const skipped = faces.filter((f) => f.skipped).map((f) => f.skipped);
  const why = skipped.length > 0 ? ` (skipped: ${skipped.join(', ')})` : '';
  const collapsed = restored.filter((f) => f.restore?.collapsed).length;
  const drift = collapsed > 0 ? ` ${collapsed} drifted from the input on every try, so a fallback (SRM output or bicubic) is shown.` : '';
  return `Restored ${restored.length} of ${faces.length} face${faces.length === 1 ? '' : 's'}${why}.${drift}`;
}

/** The line the page shows when a restore finished. */
export function describeReport(report: JobReport, input: RawImage, output: RawImage): string {
  const sizes = `${input.width}×${input.height} → ${output.width}×${output.height}`;
  if (report.mode === 'photo') return `${describeFaces(report.faces)} Photo ${sizes} in ${seconds(report.timeMs)}.`;
  const { info } = report;
  const collapsed = info.collapsed
    ? ` The diffusion result drifted from the input on every try, so the ${info.collapseFallback === 'bicubic' ? 'bicubic upsampling' : 'SRM output'} is shown.`
    : info.retries > 0
      ? ` The first try drifted from the input; this is the rerun with seed ${info.seed + info.retries}.`
      : '';
  return `Restored ${sizes}: ${info.steps} steps in ${seconds(info.timeMs)}.${collapsed}`;
}
