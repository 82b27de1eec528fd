import { Command, CommanderError } from 'commander';
import { DifbfsrError } from '@difbfsr/core';
import type { CliCommand } from './command.js';
import { COMMANDS } from './commands/index.js';
import { CliExit, CliUsageError, EXIT_STATUS } from './exit-status.js';
import { processIO, type CliIO } from './io.js';

export type { CliCommand } from './command.js';
export type { CliIO } from './io.js';

/** Build the `difbfsr` program (commander) with `commands` (default: all), writing through `io`. */
export function buildCli(io: CliIO = processIO, commands: readonly CliCommand[] = COMMANDS): Command {
  const program = new Command('difbfsr')
    .description('DifBFSR blind face super-resolution tools')
    .version('0.1.0')
    .exitOverride()
    .configureOutput({ writeOut: (s) => io.stdout(s), writeErr: (s) => io.stderr(s) })
    .showHelpAfterError()
    .showSuggestionAfterError();
  for (const c of commands) c.register(program, io);
  for (const sub of program.commands) sub.exitOverride().configureOutput({ writeOut: (s) => io.stdout(s), writeErr: (s) => io.stderr(s) });
  return program;
}

/** A failed system call (`EACCES`, `ENOSPC`, ...): Node's errors carry the call and a string code. */
function isSystemError(e: unknown): e is NodeJS.ErrnoException {
  const err = e as NodeJS.ErrnoException;
  return e instanceof Error && typeof err.code === 'string' && typeof err.syscall === 'string';
}

/**
 * Run the CLI (`commands`, default: all) in-process on `argv` (arguments only, without `node` and the script) and return
 * the exit status: 0 success, 1 failure (message on stderr), 2 usage error, 130 stopped by Ctrl-C.
 * Errors are one line with their code (a failed system call as `IO`); only a bug prints a stack.
 */
export async function runCli(argv: readonly string[], io: CliIO = processIO, commands: readonly CliCommand[] = COMMANDS): Promise<number> {
  const program = buildCli(io, commands);
  try {
    if (argv.length === 0) {
      program.outputHelp();
      return 2;
    }
    await program.parseAsync([...argv], { from: 'user' });
    return 0;
  } catch (e) {
    if (e instanceof CommanderError) {
      if (e.code === 'commander.helpDisplayed' || e.code === 'commander.version' || e.code === 'commander.help') return 0;
      return e.exitCode === 0 ? EXIT_STATUS.ok : EXIT_STATUS.usage;
    }
    if (e instanceof CliExit) return e.status;
    if (e instanceof DifbfsrError) {
      io.stderr(`difbfsr: ${e.code}: ${e.message}\n`);
      return e instanceof CliUsageError ? EXIT_STATUS.usage : EXIT_STATUS.failed;
    }
    if (isSystemError(e)) {
      io.stderr(`difbfsr: IO: ${e.message}\n`);
      return EXIT_STATUS.failed;
    }
    io.stderr(`difbfsr: ${(e as Error)?.stack ?? String(e)}\n`);
    return 1;
  }
}
