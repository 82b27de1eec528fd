import { DifbfsrError } from '@difbfsr/core';

/** Exit statuses of the `difbfsr` command. */
export const EXIT_STATUS = {
  ok: 0,
  /** Something failed (the failures were reported). */
  failed: 1,
  /** Bad command line. */
  usage: 2,
  /** Stopped by Ctrl-C (128 + SIGINT). */
  interrupted: 130,
} as const;

/**
 * Thrown by a command action that has already reported what happened and only needs the process
 * to end with `status` (for example 1 after a batch where some files failed).
 */
export class CliExit extends Error {
  readonly status: number;
  constructor(status: number) {
    super(`exit status ${status}`);
    this.name = 'CliExit';
    this.status = status;
  }
}

/** A bad option value: `INVALID_OPTION`, reported like a commander usage error (exit status 2). */
export class CliUsageError extends DifbfsrError {
  constructor(message: string) {
    super('INVALID_OPTION', message);
    this.name = 'CliUsageError';
  }
}
