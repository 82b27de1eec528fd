import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { getDefaultPrior, type Denoiser, type FaceTemplate, type PriorBackend } from '@difbfsr/core';
import { BUNDLED_FACE_TEMPLATE, BUNDLED_PRIOR_URL, detectPreset, loadCheckpoint, UNET_PRESETS, UNet, unetConfigOf } from '@difbfsr/models';
import { importOptionalOnnx, requireOnnx, type OnnxPackage } from '../optional-onnx.js';
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
 * `@difbfsr/onnx` for `--backend onnx` or `--device cuda` (required) or `--backend auto` (when
 * installed); undefined for tfjs. Importing it registers ONNX Runtime for the bundled prior and the
 * SRM/CFM optimisation; it is resolved from here, so it works whatever folder layout the package
 * manager chose for @difbfsr/models.
 */
function onnxFor(backend: PriorBackend, device: Device): Promise<OnnxPackage | undefined> {
  if (device === 'cuda') return requireOnnx('--device cuda');
  if (backend === 'onnx') return requireOnnx('--backend onnx');
  return backend === 'auto' ? importOptionalOnnx() : Promise.resolve(undefined);
}

/**
 * The denoiser of a checkpoint file on `backend` and `device` (ONNX Runtime through `@difbfsr/onnx`
 * when asked for or, with `auto`, installed), and the face template of the preset it matches.
 */
async function priorFromFile(file: string, backend: PriorBackend, device: Device): Promise<Omit<PriorChoice, 'source' | 'owned'>> {
  const stateDict = await loadCheckpoint(file);
  const config = unetConfigOf(stateDict, file);
  const onnx = await onnxFor(backend, device);
  const prior = onnx ? await onnx.createUNetDenoiser(config, stateDict, { backend, device }) : UNet.fromStateDict(config, stateDict);
  const faceTemplate = detectPreset(stateDict)?.faceTemplate;
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
 * (the bundled face prior, registered when `@difbfsr/models` is imported, as this module does; read
 * from its file when `--device` names one), a checkpoint file (safetensors or PyTorch; its U-Net
 * config from its metadata or the preset its tensors match, and that preset's face template), or a
 * preset name, whose published checkpoint file is looked up in `$DIFBFSR_MODEL_DIR` (default: the
 * current folder).
 */
export async function choosePrior(model: string | undefined, backend: PriorBackend, device: Device = 'auto', env: NodeJS.ProcessEnv = process.env): Promise<PriorChoice> {
  if (model === undefined || model === BUNDLED_MODEL) {
    if (device !== 'auto') {
      const { prior } = await priorFromFile(fileURLToPath(BUNDLED_PRIOR_URL), backend, device);
      return { prior, source: BUNDLED_MODEL, owned: true, faceTemplate: BUNDLED_FACE_TEMPLATE };
    }
    await onnxFor(backend, device);
    return { prior: await getDefaultPrior({ backend }), source: BUNDLED_MODEL, owned: false };
  }
  if (existsSync(model)) return { ...(await priorFromFile(model, backend, device)), source: model, owned: true };
  if (UNET_PRESETS.some((p) => p.name === model)) {
    const file = presetFile(model, env[MODEL_DIR_ENV] || '.');
    return { ...(await priorFromFile(file, backend, device)), source: file, owned: true };
  }
  const names = [BUNDLED_MODEL, ...UNET_PRESETS.map((p) => p.name)].join(', ');
  throw new CliUsageError(`--model ${model}: no such file, and not a preset name (${names})`);
}
