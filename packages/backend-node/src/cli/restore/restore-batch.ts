import { mkdir } from 'node:fs/promises';
import { dirname } from 'node:path';
import { DifbfsrError } from '@difbfsr/core';
import { readImageFile, writeImageFile } from './image-file.js';
import type { ImageRestorer } from './image-restorer.js';
import { faceCropPaths, type OutputPaths } from './output-paths.js';
import type { ProgressDisplay } from './progress-display.js';
import type { FaceReport, ImageReport } from './restore-report.js';

/** What {@link restoreBatch} works with. */
export interface BatchContext {
  restorer: ImageRestorer;
  progress: ProgressDisplay;
  /** Aborting stops the image in progress and skips the rest. */
  signal: AbortSignal;
}

const seconds = (ms: number): string => `${(ms / 1000).toFixed(1)} s`;

async function restoreOne(paths: OutputPaths, report: ImageReport, ctx: BatchContext): Promise<void> {
  const decoded = await readImageFile(paths.input);
  const { image } = decoded;
  Object.assign(report, {
    width: image.width,
    height: image.height,
    channels: image.channels,
    format: decoded.format,
    bitDepth: decoded.bitDepth,
    ...(decoded.orientation ? { orientation: decoded.orientation } : {}),
  });
  const result = await ctx.restorer(image, { onProgress: (stage, done, total) => ctx.progress.update(stage, done, total), signal: ctx.signal });
  await mkdir(dirname(paths.output), { recursive: true });
  await writeImageFile(paths.output, result.image, paths.format);
  Object.assign(report, { output: paths.output, outputWidth: result.image.width, outputHeight: result.image.height });
  if (result.detector) report.detector = result.detector;
  const faces: FaceReport[] = [];
  for (const [k, face] of result.faces.entries()) {
    if (!face.crops) {
      faces.push(face.report);
      continue;
    }
    const crops = faceCropPaths(paths, k);
    await mkdir(dirname(crops.input), { recursive: true });
    await writeImageFile(crops.input, face.crops.input, paths.format);
    await writeImageFile(crops.restored, face.crops.restored, paths.format);
    faces.push({ ...face.report, crops });
  }
  report.faces = faces;
}

/**
 * Restore each input in turn and write its output (and the face crops the restorer returns, to
 * `<output folder>/faces/`). A file that cannot be read, decoded or restored
 * is reported (one line) and skipped; aborting `ctx.signal` (Ctrl-C) stops the image in progress,
 * keeps the outputs already written and marks the rest not started.
 */
export async function restoreBatch(plan: readonly OutputPaths[], ctx: BatchContext): Promise<ImageReport[]> {
  const reports: ImageReport[] = [];
  for (const [i, paths] of plan.entries()) {
    const report: ImageReport = { input: paths.input, status: 'not-started', faces: [], timeMs: 0 };
    reports.push(report);
    if (ctx.signal.aborted) continue;
    const started = performance.now();
    ctx.progress.startImage(i, paths.input);
    try {
      await restoreOne(paths, report, ctx);
      report.status = 'restored';
      report.timeMs = performance.now() - started;
      const restored = report.faces.filter((f) => !f.skipped).length;
      const skipped = report.faces.length - restored;
      const faces = `${restored} face${restored === 1 ? '' : 's'}${skipped ? `, ${skipped} skipped` : ''}`;
      ctx.progress.log(`${ctx.progress.prefix()} ${paths.input} -> ${paths.output} (${faces}, ${seconds(report.timeMs)})`);
    } catch (err) {
      report.timeMs = performance.now() - started;
      if (ctx.signal.aborted) {
        report.status = 'interrupted';
        ctx.progress.log(`${ctx.progress.prefix()} ${paths.input}: interrupted`);
      } else {
        const code = err instanceof DifbfsrError ? err.code : 'ERROR';
        report.status = 'failed';
        report.error = { code, message: (err as Error)?.message ?? String(err) };
        ctx.progress.log(`${ctx.progress.prefix()} ${paths.input}: failed: ${code}: ${report.error.message}`);
      }
    }
  }
  ctx.progress.finish();
  return reports;
}
