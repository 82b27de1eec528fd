import type { Command } from 'commander';
import { loadCheckpoint, type CheckpointDType } from '@difbfsr/models';
import type { CliCommand } from '../command.js';
import { fmtBytes, fmtInt, type CliIO } from '../io.js';
import { detectPresetName } from '../preset.js';

/** What `difbfsr inspect --json` prints. */
export interface InspectReport {
  file: string;
  format: 'safetensors' | 'pytorch';
  dtypes: Partial<Record<CheckpointDType, number>>;
  tensors: number;
  parameters: number;
  bytes: number;
  preset: string;
  metadata: Record<string, string>;
  extras: Record<string, string | number | boolean | null>;
  tensorList?: Array<[string, number[], CheckpointDType]>;
}

/** Inspect a checkpoint without decoding its tensors. */
export async function inspectCheckpoint(file: string, options: { key?: string; tensors?: boolean } = {}): Promise<InspectReport> {
  const sd = await loadCheckpoint(file, { key: options.key, cacheDir: false });
  const dtypes: Partial<Record<CheckpointDType, number>> = {};
  let parameters = 0;
  let bytes = 0;
  for (const n of sd.names()) {
    const t = sd.get(n);
    dtypes[t.dtype] = (dtypes[t.dtype] ?? 0) + 1;
    parameters += t.size;
    bytes += t.byteLength;
  }
  const report: InspectReport = {
    file,
    format: sd.format,
    dtypes,
    tensors: sd.size,
    parameters,
    bytes,
    preset: await detectPresetName(sd),
    metadata: { ...sd.metadata },
    extras: { ...sd.extras },
  };
  if (options.tensors) report.tensorList = sd.names().map((n) => [n, [...sd.get(n).shape], sd.get(n).dtype]);
  return report;
}

function printText(r: InspectReport, io: CliIO): void {
  const dt = Object.entries(r.dtypes)
    .map(([k, v]) => `${k} (${v} tensor${v === 1 ? '' : 's'})`)
    .join(', ');
  const lines = [
    `file:        ${r.file}`,
    `format:      ${r.format === 'pytorch' ? 'pytorch (zip)' : 'safetensors'}`,
    `dtype:       ${dt || '-'}`,
    `tensors:     ${fmtInt(r.tensors)}`,
    `parameters:  ${fmtInt(r.parameters)}`,
    `data:        ${fmtBytes(r.bytes)}`,
    `preset:      ${r.preset}`,
  ];
  const meta = Object.keys(r.metadata);
  if (meta.length) lines.push(`metadata:    ${meta.join(', ')}`);
  const extras = Object.entries(r.extras);
  if (extras.length) lines.push(`extras:      ${extras.map(([k, v]) => `${k}=${JSON.stringify(v)}`).join(', ')}`);
  if (r.tensorList) {
    lines.push('');
    for (const [n, s, d] of r.tensorList) lines.push(`${n}\t[${s.join(', ')}]\t${d}`);
  }
  io.stdout(`${lines.join('\n')}\n`);
}

export const inspectCommand: CliCommand = {
  name: 'inspect',
  register(program: Command, io: CliIO) {
    program
      .command('inspect')
      .description('show format, dtypes, tensor and parameter counts and the detected preset of a checkpoint')
      .argument('<file>', 'checkpoint (.safetensors, or PyTorch .pt/.pth/.ckpt)')
      .option('--json', 'print JSON')
      .option('--tensors', 'also list every tensor with its shape and dtype')
      .option('--key <key>', 'PyTorch wrapper key holding the state dict (e.g. ema)')
      .action(async (file: string, opts: { json?: boolean; tensors?: boolean; key?: string }) => {
        const r = await inspectCheckpoint(file, { key: opts.key, tensors: opts.tensors });
        if (opts.json) io.stdout(`${JSON.stringify(r, null, 2)}\n`);
        else printText(r, io);
      });
  },
};
