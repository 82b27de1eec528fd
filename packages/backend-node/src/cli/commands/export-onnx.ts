import { existsSync } from 'node:fs';
import { basename, dirname, join, resolve } from 'node:path';
import { readFileSync } from 'node:fs';
import type { Command } from 'commander';
import { DifbfsrError } from '@difbfsr/core';
import { getPreset, loadCheckpoint, unetConfigOf, unetParamCount, type UNetConfig } from '@difbfsr/models';
import type { CliCommand } from '../command.js';
import { fmtBytes, fmtInt, type CliIO } from '../io.js';
import { requireOnnx } from '../optional-onnx.js';
import { writeFileAtomic } from '../write-file-atomic.js';

/** Options of {@link exportOnnxFile}. */
export interface ExportOnnxOptions {
  /** A preset name (`ffhq256-p2`, ...) giving the U-Net config. */
  preset?: string;
  /** A JSON file holding the U-Net config (guided-diffusion `create_model` arguments). */
  config?: string;
  fp16?: boolean;
  /** NHWC input/outputs instead of PyTorch's NCHW. */
  nhwc?: boolean;
  /** Write the weights to `<out>.data` (ONNX external data); automatic above 2 GiB. */
  externalData?: boolean;
  key?: string;
  force?: boolean;
}

/** What {@link exportOnnxFile} wrote. */
export interface ExportOnnxResult {
  parameters: number;
  modelBytes: number;
  /** The external-data file, when written. */
  dataFile?: string;
  dataBytes?: number;
  learnedVariance: boolean;
}

/** protobuf's limit for one message: larger float32 weights must go to an external-data file. */
const INLINE_LIMIT = 2 ** 31 - 2 ** 24;

/**
 * Export the guided-diffusion U-Net of a checkpoint to an ONNX file (with `@difbfsr/onnx`). The
 * config comes from `--config`, `--preset`, the checkpoint's metadata or the preset its tensors match.
 */
export async function exportOnnxFile(input: string, output: string, options: ExportOnnxOptions = {}): Promise<ExportOnnxResult> {
  if (resolve(input) === resolve(output)) throw new DifbfsrError('INVALID_OPTION', 'export-onnx: the output must be a different file than the input');
  if (!options.force && existsSync(output)) throw new DifbfsrError('INVALID_OPTION', `export-onnx: ${output} exists (use --force to overwrite)`);
  if (options.preset && options.config) throw new DifbfsrError('INVALID_OPTION', 'export-onnx: give --preset or --config, not both');
  const onnx = await requireOnnx('export-onnx');
  const sd = await loadCheckpoint(input, { key: options.key, cacheDir: false });
  let config: UNetConfig;
  if (options.config) {
    try {
      config = JSON.parse(readFileSync(options.config, 'utf8')) as UNetConfig;
    } catch (err) {
      throw new DifbfsrError('INVALID_OPTION', `export-onnx: cannot read the config ${options.config}: ${(err as Error).message}`, { cause: err });
    }
  } else {
    config = options.preset ? getPreset(options.preset).config : unetConfigOf(sd, input);
  }
  const parameters = unetParamCount(config);
  const external = options.externalData || parameters * (options.fp16 ? 2 : 4) > INLINE_LIMIT;
  const location = `${basename(output)}.data`;
  const exported = onnx.exportUNetToOnnx(config, sd, {
    fp16: options.fp16,
    layout: options.nhwc ? 'nhwc' : 'nchw',
    storage: external ? 'external' : 'inline',
    externalDataLocation: location,
    what: basename(input),
  });
  const result: ExportOnnxResult = { parameters, modelBytes: exported.model.byteLength, learnedVariance: exported.plan.config.outChannels === 6 };
  if (exported.weights) {
    const dataFile = join(dirname(output), location);
    await writeFileAtomic(dataFile, exported.weights);
    Object.assign(result, { dataFile, dataBytes: exported.weights.byteLength });
  }
  await writeFileAtomic(output, exported.model);
  return result;
}

export const exportOnnxCommand: CliCommand = {
  name: 'export-onnx',
  register(program: Command, io: CliIO) {
    program
      .command('export-onnx')
      .description('export the guided-diffusion U-Net of a checkpoint to ONNX (needs @difbfsr/onnx)')
      .argument('<checkpoint>', 'checkpoint (.safetensors, or PyTorch .pt/.pth/.ckpt)')
      .argument('<out>', 'output .onnx file')
      .option('--preset <name>', 'U-Net config of a known preset (default: the checkpoint metadata, else the matching preset)')
      .option('--config <file>', 'U-Net config as a JSON file (guided-diffusion create_model arguments)')
      .option('--fp16', 'store the weights as float16 (the graph computes in float32)')
      .option('--nhwc', 'NHWC input and outputs instead of NCHW')
      .option('--external-data', 'write the weights to <out>.data (automatic above 2 GiB)')
      .option('--key <key>', 'PyTorch wrapper key holding the state dict (e.g. ema)')
      .option('-f, --force', 'overwrite an existing output file')
      .action(async (input: string, output: string, opts: ExportOnnxOptions) => {
        const r = await exportOnnxFile(input, output, opts);
        const layout = opts.nhwc ? '[batch, height, width, 3]' : '[batch, 3, height, width]';
        const data = r.dataFile ? ` + ${r.dataFile} (${fmtBytes(r.dataBytes!)})` : '';
        io.stdout(
          `wrote ${output}: ${fmtBytes(r.modelBytes)}${data}, ${fmtInt(r.parameters)} parameters${opts.fp16 ? ' (float16)' : ''}\n` +
            `inputs: x ${layout} float32 in [-1, 1], timesteps [batch] float32 (0..999); outputs: eps${r.learnedVariance ? ', v' : ''} ${layout}\n`,
        );
      });
  },
};
