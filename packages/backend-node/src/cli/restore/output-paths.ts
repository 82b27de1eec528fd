import { basename, extname, join, resolve } from 'node:path';
import { CliUsageError } from '../exit-status.js';

/** Formats the command writes. */
export const OUTPUT_FORMATS = ['png', 'jpg', 'webp'] as const;
export type OutputFormat = (typeof OUTPUT_FORMATS)[number];

/** Where one input's results go. */
export interface OutputPaths {
  input: string;
  /** The restored image. */
  output: string;
  format: OutputFormat;
  /** `<output folder>/faces/<name><suffix>_face<k>`: prefix of the `--save-faces` crops. */
  facePrefix: string;
}

/** How outputs are named. */
export interface OutputNaming {
  /** Output folder. */
  folder: string;
  /** Fixed format; default: the input's when it is png, jpg/jpeg or webp, else png. */
  format?: OutputFormat;
  /** Added to each input's base name. */
  suffix: string;
}

/** The output format of an input file name when none is chosen. */
export function formatOf(input: string): OutputFormat {
  const ext = extname(input).toLowerCase();
  if (ext === '.jpg' || ext === '.jpeg') return 'jpg';
  if (ext === '.webp') return 'webp';
  return 'png';
}

/** Paths of the files of face `index` (0-based): the two crops of `--save-faces`, the heat map of `--save-uncertainty` (always PNG). */
export function faceFilePaths(paths: OutputPaths, index: number): { input: string; restored: string; uncertainty: string } {
  const stem = `${paths.facePrefix}${index + 1}`;
  return { input: `${stem}_input.${paths.format}`, restored: `${stem}_restored.${paths.format}`, uncertainty: `${stem}_uncertainty.png` };
}

/**
 * Name every input's output `<folder>/<base name><suffix>.<format>`.
 * @throws CliUsageError when an output would overwrite an input, or two inputs would share an output.
 */
export function planOutputs(inputs: readonly string[], naming: OutputNaming): OutputPaths[] {
  const inputPaths = new Map(inputs.map((i) => [resolve(i), i]));
  const owners = new Map<string, string>();
  return inputs.map((input) => {
    const format = naming.format ?? formatOf(input);
    const stem = `${basename(input, extname(input))}${naming.suffix}`;
    const output = join(naming.folder, `${stem}.${format}`);
    const key = resolve(output);
    const overwritten = inputPaths.get(key);
    if (overwritten !== undefined) {
      throw new CliUsageError(`the output ${output} would overwrite the input ${overwritten}: choose another --output folder or a --suffix`);
    }
    const other = owners.get(key);
    if (other !== undefined) {
      throw new CliUsageError(`${other} and ${input} would both be written to ${output}: restore them into different --output folders`);
    }
    owners.set(key, input);
    return { input, output, format, facePrefix: join(naming.folder, 'faces', `${stem}_face`) };
  });
}
