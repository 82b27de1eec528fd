import { existsSync } from 'node:fs';
import { basename, resolve } from 'node:path';
import type { Command } from 'commander';
import { DifbfsrError } from '@difbfsr/core';
import { loadCheckpoint, saveSafetensorsFile } from '@difbfsr/models';
import type { CliCommand } from '../command.js';
import { fmtBytes, fmtInt, type CliIO } from '../io.js';

/** Options of {@link convertCheckpoint}. */
export interface ConvertOptions {
  fp16?: boolean;
  key?: string;
  force?: boolean;
}

/**
 * Convert a checkpoint to safetensors (streaming, one tensor in memory at a time). safetensors
 * metadata of the input is kept; `format: "pt"` and the source file name are added.
 */
export async function convertCheckpoint(input: string, output: string, options: ConvertOptions = {}): Promise<{ tensors: number; parameters: number; bytes: number }> {
  if (resolve(input) === resolve(output)) {
    throw new DifbfsrError('INVALID_OPTION', 'convert: the output must be a different file than the input');
  }
  if (!options.force && existsSync(output)) {
    throw new DifbfsrError('INVALID_OPTION', `convert: ${output} exists (use --force to overwrite)`);
  }
  const sd = await loadCheckpoint(input, { key: options.key, cacheDir: false });
  const metadata: Record<string, string> = { ...sd.metadata, format: 'pt', 'difbfsr.converted_from': basename(input) };
  for (const [k, v] of Object.entries(sd.extras)) metadata[`difbfsr.extra.${k}`] = String(v);
  const bytes = await saveSafetensorsFile(output, sd, metadata, { fp16: options.fp16 });
  const parameters = sd.names().reduce((a, n) => a + sd.get(n).size, 0);
  return { tensors: sd.size, parameters, bytes };
}

export const convertCommand: CliCommand = {
  name: 'convert',
  register(program: Command, io: CliIO) {
    program
      .command('convert')
      .description('convert a checkpoint (PyTorch .pt/.pth/.ckpt or safetensors) to safetensors')
      .argument('<in>', 'input checkpoint')
      .argument('<out>', 'output .safetensors file')
      .option('--fp16', 'store floating-point tensors as float16')
      .option('--key <key>', 'PyTorch wrapper key holding the state dict (e.g. ema)')
      .option('-f, --force', 'overwrite an existing output file')
      .action(async (input: string, output: string, opts: ConvertOptions) => {
        const r = await convertCheckpoint(input, output, opts);
        io.stdout(
          `wrote ${output}: ${fmtInt(r.tensors)} tensors, ${fmtInt(r.parameters)} parameters${opts.fp16 ? ' (float16)' : ''}, ${fmtBytes(r.bytes)}\n`,
        );
      });
  },
};
