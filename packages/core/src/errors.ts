/** Machine-readable categories of {@link DifbfsrError}. */
export type DifbfsrErrorCode =
  | 'INVALID_INPUT'
  | 'INVALID_SIZE'
  | 'IMAGE_TOO_LARGE'
  | 'INVALID_OPTION'
  | 'NON_FINITE'
  | 'UNSUPPORTED_DTYPE'
  | 'ABORTED'
  | 'RESTORE_COLLAPSED'
  | 'BACKEND'
  | 'OUT_OF_MEMORY'
  | 'CHECKPOINT_FORMAT'
  | 'CHECKPOINT_TRUNCATED'
  | 'CHECKPOINT_DISALLOWED'
  | 'MISSING_TENSOR'
  | 'UNEXPECTED_TENSOR'
  | 'SHAPE_MISMATCH'
  | 'CONFIG_MISMATCH'
  | 'IO';

/** Every error the library throws on purpose is a `DifbfsrError` with a stable `code`. */
export class DifbfsrError extends Error {
  readonly code: DifbfsrErrorCode;
  constructor(code: DifbfsrErrorCode, message: string, options?: { cause?: unknown }) {
    super(message, options);
    this.name = 'DifbfsrError';
    this.code = code;
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
