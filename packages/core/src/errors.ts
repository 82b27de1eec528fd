/** Machine-readable categories of {@link DifbfsrError}. */
export type DifbfsrErrorCode =
  | 'INVALID_INPUT'
  | 'INVALID_SIZE'
  | 'IMAGE_TOO_LARGE'
  | 'INVALID_OPTION'
  | 'NON_FINITE'
  | 'UNSUPPORTED_DTYPE'
  | 'ABORTED'
  | 'BACKEND'
  | 'OUT_OF_MEMORY'
  | 'CHECKPOINT_FORMAT'
  | 'CHECKPOINT_TRUNCATED'
  | 'CHECKPOINT_DISALLOWED'
  | 'MISSING_TENSOR'
  | 'UNEXPECTED_TENSOR'
  | 'SHAPE_MISMATCH'
  | 'CONFIG_MISMATCH'
  | 'IO'
  /** A broken invariant inside the library: a bug, never the caller's input. */
  | 'INTERNAL';

/** Every error the library throws on purpose is a `DifbfsrError` with a stable `code`. */
export class DifbfsrError extends Error {
  readonly code: DifbfsrErrorCode;
  constructor(code: DifbfsrErrorCode, message: string, options?: { cause?: unknown }) {
    super(message, options);
    this.name = 'DifbfsrError';
    this.code = code;
  }
}

/**
 * An option with a value it does not take (`INVALID_OPTION`): which option, what it needs, and
 * the value given, so that a command line can name its own flag.
 */
export class InvalidOptionError extends DifbfsrError {
  constructor(
    readonly option: string,
    readonly requirement: string,
    readonly value: unknown,
  ) {
    super('INVALID_OPTION', `${option} ${requirement}, got ${typeof value === 'string' || (typeof value === 'object' && value !== null) ? JSON.stringify(value) : String(value)}`);
    this.name = 'InvalidOptionError';
  }
}

/** Thrown when an `AbortSignal` fires; its `reason` is kept as `cause`. */
export class AbortError extends DifbfsrError {
  constructor(reason?: unknown) {
    super('ABORTED', 'The operation was aborted', { cause: reason });
    this.name = 'AbortError';
  }
}

/** Throw {@link AbortError} if the signal has fired. */
export function throwIfAborted(signal: AbortSignal | undefined): void {
  if (signal?.aborted) throw new AbortError(signal.reason);
}
