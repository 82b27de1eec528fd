import type { CliCommand } from '../command.js';
import { convertCommand } from './convert.js';
import { exportOnnxCommand } from './export-onnx.js';
import { inspectCommand } from './inspect.js';

/** Every subcommand, in help order. To add one, create its file here and list it below. */
export const COMMANDS: CliCommand[] = [inspectCommand, convertCommand, exportOnnxCommand];
