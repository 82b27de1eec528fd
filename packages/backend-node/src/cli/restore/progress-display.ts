import type { TerminalStream } from '../io.js';
import { formatDuration, StageEta } from './stage-eta.js';

const CLEAR_LINE = '\r\x1b[2K';
const BAR_WIDTH = 20;
/** Plain output also prints a stage's progress when this long has passed since its last line. */
const PLAIN_INTERVAL_MS = 30_000;

function bar(done: number, total: number): string {
  const filled = total > 0 ? Math.round((BAR_WIDTH * Math.min(done, total)) / total) : 0;
  return `[${'#'.repeat(filled)}${'-'.repeat(BAR_WIDTH - filled)}]`;
}

/** True when `done` is the first of a new quarter of `total` (plain output reports those). */
function isQuarterStep(done: number, total: number): boolean {
  return Math.floor((4 * done) / total) !== Math.floor((4 * (done - 1)) / total);
}

/**
 * Progress of a batch of images. On a terminal it is one status line redrawn in place: a bar over
 * the images and a bar over the current stage (a face's restore steps, the background's tiles),
 * with the time the stage has left. Elsewhere (a pipe, a log file) it is plain lines: an image
 * starting, each stage without a count, each quarter of a counted stage and, in long stages, a line
 * at least every 30 s, each with the time left, and whatever {@link log} prints.
 * Lines from {@link log} are printed above the bar, never into it.
 */
export class ProgressDisplay {
  private readonly tty: boolean;
  /** The status line currently drawn on the terminal ('' when none). */
  private drawn = '';
  private imageIndex = 0;
  private imageName = '';
  private readonly eta: StageEta;
  /** When plain output last printed a line. */
  private lastLineMs: number;

  /**
   * @param images how many images the batch holds.
   * @param now a clock in milliseconds (for the time left).
   */
  constructor(
    private readonly stream: TerminalStream,
    private readonly images: number,
    private readonly now: () => number = () => performance.now(),
  ) {
    this.tty = stream.isTTY === true;
    this.eta = new StageEta(now);
    this.lastLineMs = now();
  }

  /** The image at 0-based `index` starts. */
  startImage(index: number, name: string): void {
    this.imageIndex = index;
    this.imageName = name;
    if (this.tty) this.draw(`${this.imagesPart()}  ${name}`);
    else this.stream.write(`${this.prefix()} ${name}\n`);
    this.lastLineMs = this.now();
  }

  /** The current image's `stage` (`face 1/2 diffusion`, `background`, ...) reached `done` of `total`. */
  update(stage: string, done: number, total: number): void {
    const left = this.eta.update(stage, done, total);
    const eta = left === undefined || left < 1000 || done >= total ? '' : `  ETA ${formatDuration(left)}`;
    if (this.tty) {
      this.draw(`${this.imagesPart()}  ${this.imageName}  ${stage} ${bar(done, total)} ${done}/${total}${eta}`);
      return;
    }
    const t = this.now();
    if (isQuarterStep(done, total) || t - this.lastLineMs >= PLAIN_INTERVAL_MS) {
      this.stream.write(`${this.prefix()} ${this.imageName} ${stage} ${done}/${total}${eta}\n`);
      this.lastLineMs = t;
    }
  }

  /** The current image entered `stage`, a step without a count (`decode`, `face 1/2 paste`, `write`). */
  stage(stage: string): void {
    if (this.tty) this.draw(`${this.imagesPart()}  ${this.imageName}  ${stage}`);
    else this.stream.write(`${this.prefix()} ${this.imageName} ${stage}\n`);
  }

  /** Print a line (an image finished or failed) above the status line. */
  log(line: string): void {
    if (!this.tty) {
      this.stream.write(`${line}\n`);
      return;
    }
    const status = this.drawn;
    this.stream.write(`${CLEAR_LINE}${line}\n`);
    this.drawn = '';
    if (status) this.draw(status);
  }

  /** Remove the status line (the batch is over). */
  finish(): void {
    if (this.tty && this.drawn) this.stream.write(CLEAR_LINE);
    this.drawn = '';
  }

  /** `[2/5]` for the current image. */
  prefix(): string {
    return `[${this.imageIndex + 1}/${this.images}]`;
  }

  private imagesPart(): string {
    return `images ${bar(this.imageIndex, this.images)} ${this.imageIndex + 1}/${this.images}`;
  }

  private draw(line: string): void {
    const width = Math.max(20, (this.stream.columns || 80) - 1);
    const fitted = line.length > width ? `${line.slice(0, width - 1)}…` : line;
    this.stream.write(`${CLEAR_LINE}${fitted}`);
    this.drawn = fitted;
  }
}
