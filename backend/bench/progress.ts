/*
 * A progress bar on stderr: redrawn in place on a terminal, a line every 10 %
 * otherwise (CI logs), so stdout stays the results alone.
 */

const WIDTH = 30;

export class Progress {
  private done = 0;
  private readonly started = performance.now();
  private lastDraw = 0;
  private lastDecile = -1;
  private readonly tty = Boolean(process.stderr.isTTY);

  constructor(
    private readonly label: string,
    private readonly total: number,
  ) {
    this.draw(true);
  }

  tick(n = 1): void {
    this.done += n;
    this.draw(false);
  }

  /** Ends the bar and returns the seconds it took. */
  finish(note = ""): number {
    const elapsed = (performance.now() - this.started) / 1000;
    this.done = Math.max(this.done, this.total);
    if (this.tty) process.stderr.write(`\r${this.line()}${note ? `  ${note}` : ""}\x1b[K\n`);
    else process.stderr.write(`${this.line()}${note ? `  ${note}` : ""}\n`);
    return elapsed;
  }

  private line(): string {
    const fraction = this.total > 0 ? Math.min(1, this.done / this.total) : 1;
    const filled = Math.round(fraction * WIDTH);
    const elapsed = (performance.now() - this.started) / 1000;
    const rate = elapsed > 0 ? this.done / elapsed : 0;
    const eta = rate > 0 && this.done < this.total ? ` ETA ${formatSeconds((this.total - this.done) / rate)}` : "";
    return `  ${this.label.padEnd(16)} [${"#".repeat(filled)}${".".repeat(WIDTH - filled)}] ${this.done.toLocaleString("en-US")}/${this.total.toLocaleString("en-US")}  ${rate.toFixed(rate < 100 ? 1 : 0)}/s  ${formatSeconds(elapsed)}${eta}`;
  }

  private draw(force: boolean): void {
    if (this.tty) {
      const now = performance.now();
      if (!force && now - this.lastDraw < 100) return;
      this.lastDraw = now;
      process.stderr.write(`\r${this.line()}\x1b[K`);
      return;
    }
    const decile = this.total > 0 ? Math.floor((this.done / this.total) * 10) : 10;
    if (decile > this.lastDecile && decile < 10) {
      this.lastDecile = decile;
      process.stderr.write(`${this.line()}\n`);
    }
  }
}

export function formatSeconds(s: number): string {
  if (s < 60) return `${s.toFixed(1)}s`;
  const m = Math.floor(s / 60);
  return `${m}m${String(Math.round(s - m * 60)).padStart(2, "0")}s`;
}

/** Logs a step of the run on stderr. */
export function note(message: string): void {
  process.stderr.write(`${message}\n`);
}

/** Runs fn(0..count-1) with at most `concurrency` calls in flight; the first failure stops the rest. */
export async function forEachParallel(count: number, concurrency: number, fn: (i: number) => Promise<void>): Promise<void> {
  let next = 0;
  let failed = false;
  const lane = async () => {
    while (!failed && next < count) {
      const i = next++;
      try {
        await fn(i);
      } catch (err) {
        failed = true;
        throw err;
      }
    }
  };
  await Promise.all(Array.from({ length: Math.min(concurrency, count) }, lane));
}
