import { dirname, resolve } from 'node:path';
import { DifbfsrError, resolvePhotoOptions, type FaceTemplate, type ResolvedPhotoOptions, type RuntimeChoice } from '@difbfsr/core';
import { init } from '../../init.js';
import { CliUsageError, EXIT_STATUS } from '../exit-status.js';
import type { CliIO } from '../io.js';
import { mallocSetting } from '../malloc-setting.js';
import { writeFileAtomic } from '../write-file-atomic.js';
import { FFHQ_TEMPLATE, readFaceTemplateOption } from './face-template-option.js';
import { loadFaceDetector, type LoadedFaceDetector } from './face-detector-source.js';
import { expandInputs, type UnmatchedInput } from './input-files.js';
import { abortOnInterrupt } from './interrupt.js';
import { prepareOutputFolder } from './output-folder.js';
import { planOutputs, type OutputPaths } from './output-paths.js';
import { photoRestorer } from './photo-restorer.js';
import { choosePrior, type PriorChoice } from './prior-source.js';
import { ProgressDisplay } from './progress-display.js';
import { restoreBatch } from './restore-batch.js';
import { checkUncertainty, type Device, type RestoreCommandOptions } from './restore-options.js';
import { reportSettings, summarise, type ImageReport, type RestoreReport, type RunContext } from './restore-report.js';

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

/** Where `difbfsr restore` gets its prior and its face detector (replaceable in tests). */
export interface RestoreServices {
  choosePrior(model: string | undefined, backend: RuntimeChoice, device: Device): Promise<PriorChoice>;
  loadFaceDetector(): Promise<LoadedFaceDetector>;
}

const DEFAULT_SERVICES: RestoreServices = { choosePrior: (model, backend, device) => choosePrior(model, backend, device), loadFaceDetector };

/** The inputs expanded, their outputs planned and the folders made, before anything is loaded. */
async function planRun(inputs: readonly string[], options: RestoreCommandOptions, io: CliIO): Promise<{ plan: OutputPaths[]; unmatched: UnmatchedInput[] }> {
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
  return { plan, unmatched };
}

/** Restore every planned image with the prior chosen (and the detector, for photos), Ctrl-C stopping the batch. */
async function restorePlan(
  plan: OutputPaths[],
  options: RestoreCommandOptions,
  choice: PriorChoice & { template?: FaceTemplate },
  services: RestoreServices,
  progress: ProgressDisplay,
): Promise<{ images: ImageReport[]; interrupted: boolean }> {
  const { prior, source, template } = choice;
  const { aligned, maxPixels } = options.resolved.photo;
  if (!aligned && !template) {
    throw new CliUsageError(
      `--model ${source}: this prior has no face template to align detected faces to; give one with --face-template (${FFHQ_TEMPLATE} or a JSON file), or restore aligned face crops with --aligned`,
    );
  }
  const controller = new AbortController();
  const detector = aligned ? undefined : await services.loadFaceDetector();
  const removeHandler = abortOnInterrupt(controller, () => progress.log('interrupted: stopping after the current step (Ctrl-C again to quit at once)'));
  try {
    const photo = { ...options.photo, ...(template ? { template } : {}) };
    const restorer = photoRestorer({ prior, detector, photo, saveFaces: options.saveFaces, saveUncertainty: options.saveUncertainty });
    const limit = { scale: options.resolved.restore.chain.scale, maxPixels };
    return { images: await restoreBatch(plan, { restorer, progress, limit, signal: controller.signal }), interrupted: controller.signal.aborted };
  } finally {
    removeHandler();
    detector?.dispose();
  }
}

/** The JSON report: on stdout (`--json -`) or written to its file. */
async function writeReport(report: RestoreReport, options: RestoreCommandOptions, io: CliIO): Promise<void> {
  const text = `${JSON.stringify(report, null, 2)}\n`;
  if (options.json?.file === undefined) io.stdout(text);
  else await writeFileAtomic(options.json.file, text, 'the report');
}

/**
 * `difbfsr restore`: expand the inputs, restore each one to the output folder with progress on
 * `io.progress`, write the JSON report when asked, and return the exit status.
 */
export async function runRestore(inputs: readonly string[], options: RestoreCommandOptions, io: CliIO, services: RestoreServices = DEFAULT_SERVICES): Promise<number> {
  const started = performance.now();
  const { plan, unmatched } = await planRun(inputs, options, io);
  // A bad --face-template is reported before a checkpoint of hundreds of MB is loaded.
  const givenTemplate = options.faceTemplate === undefined ? undefined : await readFaceTemplateOption(options.faceTemplate);
  const backend = await init();
  const choice = await services.choosePrior(options.model, options.resolved.restore.run.backend, options.device);
  const template = givenTemplate ?? choice.faceTemplate ?? choice.prior.faceTemplate;
  const progress = new ProgressDisplay(io.progress ?? { write: (t: string) => io.stderr(t) }, plan.length);
  let ran: { images: ImageReport[]; interrupted: boolean };
  // The options as restore() resolves them with this prior ('auto' and the steps follow the prior).
  let resolved: ResolvedPhotoOptions;
  try {
    resolved = resolvePhotoOptions({ ...options.photo, prior: choice.prior });
    checkUncertainty(options.saveUncertainty, resolved);
    ran = await restorePlan(plan, options, { ...choice, template }, services, progress);
  } finally {
    if (choice.owned) choice.prior.dispose?.();
  }
  const context: RunContext = { model: choice.source, template: options.faceTemplate ?? (template ? 'prior' : null), tfjsBackend: backend.tfBackend, threads: backend.threads, malloc: mallocSetting(process.env) };
  const report: RestoreReport = {
    version: 1,
    settings: reportSettings(options, resolved, context),
    images: ran.images,
    unmatched,
    summary: summarise(ran.images, unmatched.length),
    interrupted: ran.interrupted,
    timeMs: performance.now() - started,
  };
  io.stderr(`${summaryLine(report)}\n`);
  if (options.json) await writeReport(report, options, io);
  return exitStatusOf(report);
}
