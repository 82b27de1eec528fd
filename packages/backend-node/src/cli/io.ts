/** A text stream that may be a terminal (`process.stderr` is one). */
export interface TerminalStream {
  write(text: string): unknown;
  /** True for a terminal: progress is redrawn in place. */
  readonly isTTY?: boolean;
  /** Terminal width in characters. */
  readonly columns?: number;
}

/** Where CLI output goes (process streams by default; buffers in tests). */
export interface CliIO {
  stdout(text: string): void;
  stderr(text: string): void;
  /** Where progress goes (a bar on a terminal, plain lines otherwise). Default: lines through `stderr`. */
  progress?: TerminalStream;
}

/** The process's stdout / stderr; progress on stderr. */
export const processIO: CliIO = {
  stdout: (t) => void process.stdout.write(t),
  stderr: (t) => void process.stderr.write(t),
  progress: process.stderr,
};

/** Thousands separators: 93563910 → "93,563,910". */
export function fmtInt(n: number): string {
  return Math.round(n).toString().replace(/\B(?=(\d{3})+(?!\d))/g, ',');
}

/** Human-readable byte count. */
export function fmtBytes(n: number): string {
  const u = ['B', 'KiB', 'MiB', 'GiB', 'TiB'];
  let i = 0;
  let v = n;
  while (v >= 1024 && i < u.length - 1) {
    v /= 1024;
    i++;
  }
  return `${i === 0 ? v : v.toFixed(1)} ${u[i]}`;
}
