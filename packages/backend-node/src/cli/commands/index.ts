import type { CliCommand } from '../command.js';
import { convertCommand } from './convert.js';
import { exportOnnxCommand } from './export-onnx.js';
import { inspectCommand } from './inspect.js';
import { restoreCommand } from './restore.js';

/** Every subcommand, in help order. To add one, create its file here and list it below. */
export const COMMANDS: CliCommand[] = [restoreCommand, inspectCommand, convertCommand, exportOnnxCommand];
