/**
 * The time left in a stage of work (a face's diffusion steps, its SRM warm-up), from the pace of
 * its steps since its first report: the first report's own wait (sessions starting, caches
 * warming) does not count.
 */
export class StageEta {
  private stage: string | undefined;
  private startMs = 0;
  private startDone = 0;

  /** @param now a clock in milliseconds. */
  constructor(private readonly now: () => number) {}

  /**
   * Record that `stage` reached `done` of `total`; returns the milliseconds left, or undefined
   * at the stage's first report (a new stage, or a count that went back: the stage started over).
   */
  update(stage: string, done: number, total: number): number | undefined {
    const t = this.now();
    if (stage !== this.stage || done <= this.startDone) {
      this.stage = stage;
      this.startMs = t;
      this.startDone = done;
      return undefined;
    }
    return ((t - this.startMs) / (done - this.startDone)) * Math.max(0, total - done);
  }
}

/** A duration for people: `45 s`, `3 min 05 s`, `1 h 02 min`. */
export function formatDuration(ms: number): string {
  const s = Math.round(ms / 1000);
  if (s < 60) return `${s} s`;
  const two = (n: number): string => `${n}`.padStart(2, '0');
  if (s < 3600) return `${Math.floor(s / 60)} min ${two(s % 60)} s`;
  const minutes = Math.round(s / 60);
  return `${Math.floor(minutes / 60)} h ${two(minutes % 60)} min`;
}
