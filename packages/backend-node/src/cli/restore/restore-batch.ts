import { dirname } from 'node:path';
import { checkPixelLimit, DifbfsrError } from '@difbfsr/core';
import { readImageFile, writeImageFile, type ImageFileHeader } from './image-file.js';
import type { ImageRestorer, RestoredFace } from './image-restorer.js';
import { ensureFolder } from './output-folder.js';
import { faceFilePaths, type OutputFormat, type OutputPaths } from './output-paths.js';
import type { ProgressDisplay } from './progress-display.js';
import type { FaceReport, ImageReport } from './restore-report.js';

/** What {@link restoreBatch} works with. */
export interface BatchContext {
  restorer: ImageRestorer;
  progress: ProgressDisplay;
  /** Each image is upscaled `scale` times; input and output must keep to `maxPixels` (`--max-pixels`). */
  limit: { scale: number; maxPixels: number };
  /** Aborting stops the image in progress and skips the rest. */
  signal: AbortSignal;
}

const seconds = (ms: number): string => `${(ms / 1000).toFixed(1)} s`;

/** Refuse an image over the pixel limit from its header alone, then say that decoding starts. */
function beforeDecode(header: ImageFileHeader, ctx: BatchContext): void {
  checkPixelLimit({ width: header.width, height: header.height, ...ctx.limit, option: '--max-pixels' });
  ctx.progress.stage('decode');
}

/** The warnings of a file with several frames or pages, of which only the first is restored. */
function frameWarnings(frames: number, format: string): string[] {
  return frames > 1 ? [`the ${format} file has ${frames} frames; only the first was restored (restore the others as images of their own)`] : [];
}

/** Write the files of one face (`--save-faces`, `--save-uncertainty`), and its report with their paths. */
async function writeFaceFiles(face: RestoredFace, files: ReturnType<typeof faceFilePaths>, format: OutputFormat): Promise<FaceReport> {
  if (!face.crops && !face.uncertainty) return face.report;
  await ensureFolder(dirname(files.input));
  const written: FaceReport = { ...face.report };
  if (face.crops) {
    await writeImageFile(files.input, face.crops.input, format);
    await writeImageFile(files.restored, face.crops.restored, format);
    written.crops = { input: files.input, restored: files.restored };
  }
  if (face.uncertainty) {
    await writeImageFile(files.uncertainty, face.uncertainty, 'png');
    written.uncertainty = files.uncertainty;
  }
  return written;
}

async function restoreOne(paths: OutputPaths, report: ImageReport, ctx: BatchContext): Promise<void> {
  const decoded = await readImageFile(paths.input, (header) => beforeDecode(header, ctx));
  const { image } = decoded;
  Object.assign(report, {
    width: image.width,
    height: image.height,
    channels: image.channels,
    format: decoded.format,
    bitDepth: decoded.bitDepth,
    ...(decoded.frames > 1 ? { frames: decoded.frames } : {}),
    ...(decoded.orientation ? { orientation: decoded.orientation } : {}),
  });
  const hooks = { onProgress: (stage: string, done: number, total: number) => ctx.progress.update(stage, done, total), onStage: (stage: string) => ctx.progress.stage(stage) };
  const result = await ctx.restorer(image, { ...hooks, signal: ctx.signal });
  ctx.progress.stage('write');
  await ensureFolder(dirname(paths.output));
  await writeImageFile(paths.output, result.image, paths.format);
  Object.assign(report, { output: paths.output, outputWidth: result.image.width, outputHeight: result.image.height });
  if (result.detector) report.detector = result.detector;
  report.faces = [];
  for (const [k, face] of result.faces.entries()) report.faces.push(await writeFaceFiles(face, faceFilePaths(paths, k), paths.format));
  const warnings = [...frameWarnings(decoded.frames, decoded.format), ...result.warnings];
  if (warnings.length > 0) report.warnings = warnings;
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
      for (const w of report.warnings ?? []) ctx.progress.log(`${ctx.progress.prefix()} ${paths.input}: warning: ${w}`);
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
