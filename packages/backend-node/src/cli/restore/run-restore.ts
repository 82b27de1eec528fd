import { rename, rm, writeFile } from 'node:fs/promises';
import { basename, dirname, join, resolve } from 'node:path';
import { DifbfsrError, type RuntimeChoice } from '@difbfsr/core';
import { init } from '../../init.js';
import { CliUsageError, EXIT_STATUS } from '../exit-status.js';
import type { CliIO } from '../io.js';
import { FFHQ_TEMPLATE, readFaceTemplateOption } from './face-template-option.js';
import { loadFaceDetector, type LoadedFaceDetector } from './face-detector-source.js';
import { expandInputs } from './input-files.js';
import { abortOnInterrupt } from './interrupt.js';
import { prepareOutputFolder } from './output-folder.js';
import { planOutputs } from './output-paths.js';
import { photoRestorer } from './photo-restorer.js';
import { choosePrior, type PriorChoice } from './prior-source.js';
import { ProgressDisplay } from './progress-display.js';
import { restoreBatch } from './restore-batch.js';
import type { Device, RestoreCommandOptions } from './restore-options.js';
import { summarise, type ImageReport, type RestoreReport } from './restore-report.js';

async function writeReportFile(path: string, report: RestoreReport): Promise<void> {
  const tmp = join(dirname(path), `.${basename(path)}.${process.pid}.tmp`);
  try {
    await writeFile(tmp, `${JSON.stringify(report, null, 2)}\n`);
    await rename(tmp, path);
  } catch (err) {
    await rm(tmp, { force: true });
    throw new DifbfsrError('IO', `${path}: cannot write the report (${(err as Error).message})`, { cause: err });
  }
}

function summaryLine(report: RestoreReport): string {
  const s = report.summary;
  const total = report.images.length;
  const skipped = s.skippedFaces ? `, ${s.skippedFaces} skipped` : '';
  const parts = [`restored ${s.restored} of ${total} image${total === 1 ? '' : 's'} (${s.faces} face${s.faces === 1 ? '' : 's'}${skipped})`];
  if (s.failed) parts.push(`${s.failed} failed`);
  if (s.unmatched) parts.push(`${s.unmatched} argument${s.unmatched === 1 ? '' : 's'} matched no image`);
  if (report.interrupted) parts.push(`interrupted: ${s.interrupted + s.notStarted} not restored`);
  return `${parts.join(', ')} in ${(report.timeMs / 1000).toFixed(1)} s`;
}

/** The exit status a report calls for: 130 when interrupted, 1 when anything failed, else 0. */
function exitStatusOf(report: RestoreReport): number {
  if (report.interrupted) return EXIT_STATUS.interrupted;
  return report.summary.failed > 0 || report.summary.unmatched > 0 ? EXIT_STATUS.failed : EXIT_STATUS.ok;
}

/** The report's settings: the options, the prior's source, the template used and the tfjs backend that ran. */
function reportSettings(
  options: RestoreCommandOptions,
  ran: { model: string; template: string | null; backend: Awaited<ReturnType<typeof init>> },
): RestoreReport['settings'] {
  return {
    model: ran.model,
    backend: options.backend,
    device: options.device,
    faceTemplate: ran.template,
    tfjsBackend: ran.backend.tfBackend,
    threads: ran.backend.threads,
    seed: options.seed ?? null,
    steps: options.steps ?? null,
    strength: options.strength ?? null,
    warmupIters: options.warmupIters ?? null,
    scale: options.scale ?? null,
    aligned: options.aligned,
    onlyCenterFace: options.onlyCenterFace,
    maxFaces: options.maxFaces ?? null,
    minFaceSize: options.minFaceSize ?? null,
    maxFaceSize: options.maxFaceSize ?? null,
    maxPixels: options.maxPixels,
  };
}

/** Where `difbfsr restore` gets its prior and its face detector (replaceable in tests). */
export interface RestoreServices {
  choosePrior(model: string | undefined, backend: RuntimeChoice, device: Device): Promise<PriorChoice>;
  loadFaceDetector(): Promise<LoadedFaceDetector>;
}

const DEFAULT_SERVICES: RestoreServices = { choosePrior: (model, backend, device) => choosePrior(model, backend, device), loadFaceDetector };

/**
 * `difbfsr restore`: expand the inputs, restore each one to the output folder with progress on
 * `io.progress`, write the JSON report when asked, and return the exit status.
 */
export async function runRestore(
  inputs: readonly string[],
  options: RestoreCommandOptions,
  io: CliIO,
  services: RestoreServices = DEFAULT_SERVICES,
): Promise<number> {
  const started = performance.now();
  const { files, unmatched } = await expandInputs(inputs);
  for (const u of unmatched) io.stderr(`difbfsr: ${u.arg}: ${u.reason}\n`);
  if (files.length === 0) throw new DifbfsrError('INVALID_INPUT', 'no image to restore');
  const plan = planOutputs(files, { folder: options.output, format: options.format, suffix: options.suffix });
  const reportFile = options.json?.file;
  if (reportFile !== undefined && files.some((f) => resolve(f) === resolve(reportFile))) {
    throw new CliUsageError(`--json ${reportFile} would overwrite an input`);
  }
  await prepareOutputFolder(options.output);
  if (reportFile !== undefined) await prepareOutputFolder(dirname(reportFile));

  // A bad --face-template is reported before a checkpoint of hundreds of MB is loaded.
  const givenTemplate = options.faceTemplate === undefined ? undefined : await readFaceTemplateOption(options.faceTemplate);
  const backend = await init();
  const choice = await services.choosePrior(options.model, options.backend, options.device);
  const { prior, source, owned } = choice;
  const template = givenTemplate ?? choice.faceTemplate ?? prior.faceTemplate;
  const progress = new ProgressDisplay(io.progress ?? { write: (t: string) => io.stderr(t) }, plan.length);
  const controller = new AbortController();
  let detector: LoadedFaceDetector | undefined;
  let removeHandler = (): void => {};
  let images: ImageReport[];
  try {
    if (!options.aligned && !template) {
      throw new CliUsageError(
        `--model ${source}: this prior has no face template to align detected faces to; give one with --face-template (${FFHQ_TEMPLATE} or a JSON file), or restore aligned face crops with --aligned`,
      );
    }
    detector = options.aligned ? undefined : await services.loadFaceDetector();
    const restorer = photoRestorer({
      prior,
      detector,
      saveFaces: options.saveFaces,
      photo: {
        backend: options.backend,
        seed: options.seed,
        steps: options.steps,
        strength: options.strength,
        warmupIters: options.warmupIters,
        scale: options.scale,
        ...(template ? { template } : {}),
        aligned: options.aligned,
        onlyCenterFace: options.onlyCenterFace,
        maxFaces: options.maxFaces,
        minFaceSize: options.minFaceSize,
        maxFaceSize: options.maxFaceSize,
        maxPixels: options.maxPixels,
      },
    });
    removeHandler = abortOnInterrupt(controller, () => progress.log('interrupted: stopping after the current step (Ctrl-C again to quit at once)'));
    const limit = { scale: options.scale ?? 4, maxPixels: options.maxPixels };
    images = await restoreBatch(plan, { restorer, progress, limit, signal: controller.signal });
  } finally {
    removeHandler();
    if (owned) prior.dispose?.();
    detector?.dispose();
  }

  const report: RestoreReport = {
    version: 1,
    settings: reportSettings(options, { model: source, template: options.faceTemplate ?? (template ? 'prior' : null), backend }),
    images,
    unmatched,
    summary: summarise(images, unmatched.length),
    interrupted: controller.signal.aborted,
    timeMs: performance.now() - started,
  };
  io.stderr(`${summaryLine(report)}\n`);
  if (options.json) {
    if (reportFile === undefined) io.stdout(`${JSON.stringify(report, null, 2)}\n`);
    else await writeReportFile(reportFile, report);
  }
  return exitStatusOf(report);
}
