import type { Command } from 'commander';
import type { CliIO } from './io.js';

/**
 * One subcommand. Each lives in its own file under `cli/commands/` and is listed once in
 * `cli/commands/index.ts`; `register` adds it to the program. Actions write through `io` and
 * throw on failure (`DifbfsrError` messages are printed with their code, exit status 1).
 */
export interface CliCommand {
  name: string;
  register(program: Command, io: CliIO): void;
}
