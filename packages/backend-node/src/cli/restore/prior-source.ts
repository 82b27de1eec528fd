import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { createDenoiser, getDefaultPrior, type Denoiser, type FaceTemplate, type RuntimeChoice } from '@difbfsr/core';
import { detectPreset, loadCheckpoint, UNET_PRESETS, unetConfigOf } from '@difbfsr/models';
import { importOptionalOnnx, requireOnnx } from '../optional-onnx.js';
import { CliUsageError } from '../exit-status.js';
import type { Device } from './restore-options.js';

/** `--model` value meaning the face prior bundled with `@difbfsr/models` (the default). */
export const BUNDLED_MODEL = 'bundled';

/** Environment variable naming the folder where `--model <preset>` looks for the preset's checkpoint files. */
export const MODEL_DIR_ENV = 'DIFBFSR_MODEL_DIR';

/** The prior a `--model` value names. */
export interface PriorChoice {
  prior: Denoiser;
  /** The checkpoint file, or {@link BUNDLED_MODEL}. */
  source: string;
  /** True when the caller disposes `prior` after use (false for the shared default prior). */
  owned: boolean;
  /**
   * Where the prior wants the five landmarks, when the prior does not carry it itself: the face
   * template of the preset a checkpoint file matches (the FFHQ presets have one).
   */
  faceTemplate?: FaceTemplate;
}

/**
 * Import `@difbfsr/onnx` (which registers runtime `'onnx'`) when `--backend onnx` or `--device cuda`
 * need it (or fail saying how to install it), or when `--backend auto` may use it and it is installed.
 */
async function registerOnnxFor(backend: RuntimeChoice, device: Device): Promise<void> {
  if (device === 'cuda') await requireOnnx('--device cuda');
  else if (backend === 'onnx') await requireOnnx('--backend onnx');
  else if (backend === 'auto') await importOptionalOnnx();
}

/**
 * The denoiser of a checkpoint file on `backend` and `device` (a runtime registered in
 * `@difbfsr/core`), and the face template of the preset it matches.
 */
async function priorFromFile(file: string, backend: RuntimeChoice, device: Device): Promise<Omit<PriorChoice, 'source' | 'owned'>> {
  const weights = await loadCheckpoint(file);
  await registerOnnxFor(backend, device);
  const prior = await createDenoiser({ config: unetConfigOf(weights, file), weights }, { backend, device });
  const faceTemplate = detectPreset(weights)?.faceTemplate;
  return faceTemplate ? { prior, faceTemplate } : { prior };
}

/** The first checkpoint file of a preset found in `folder`. */
function presetFile(name: string, folder: string): string {
  const preset = UNET_PRESETS.find((p) => p.name === name)!;
  for (const c of preset.checkpoints) {
    const file = join(folder, c.file);
    if (existsSync(file)) return file;
  }
  const where = preset.checkpoints.map((c) => `${c.file} (${c.urls.join(', ')})`).join('; ');
  throw new CliUsageError(
    `--model ${name}: none of its checkpoint files is in ${folder} (set ${MODEL_DIR_ENV} to their folder, or give the file itself); get one of: ${where}`,
  );
}

/**
 * Resolve `--model`: {@link BUNDLED_MODEL} (or nothing) for `restore()`'s registered default prior
 * on `backend` and `device` (the bundled face prior, registered when `@difbfsr/models` is imported,
 * as this module does), a checkpoint file (safetensors or PyTorch; its U-Net
 * config from its metadata or the preset its tensors match, and that preset's face template), or a
 * preset name, whose published checkpoint file is looked up in `$DIFBFSR_MODEL_DIR` (default: the
 * current folder).
 */
export async function choosePrior(model: string | undefined, backend: RuntimeChoice, device: Device = 'auto', env: NodeJS.ProcessEnv = process.env): Promise<PriorChoice> {
  if (model === undefined || model === BUNDLED_MODEL) {
    await registerOnnxFor(backend, device);
    return { prior: await getDefaultPrior({ backend, device }), source: BUNDLED_MODEL, owned: false };
  }
  if (existsSync(model)) return { ...(await priorFromFile(model, backend, device)), source: model, owned: true };
  if (UNET_PRESETS.some((p) => p.name === model)) {
    const file = presetFile(model, env[MODEL_DIR_ENV] || '.');
    return { ...(await priorFromFile(file, backend, device)), source: file, owned: true };
  }
  const names = [BUNDLED_MODEL, ...UNET_PRESETS.map((p) => p.name)].join(', ');
  throw new CliUsageError(`--model ${model}: no such file, and not a preset name (${names})`);
}
