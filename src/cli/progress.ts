// Training progress on stderr: a live one-line bar when stderr is a terminal,
// plain periodic lines otherwise (logs, CI), so a long epoch never looks hung.

/** Where progress goes: a writable with an optional isTTY flag (process.stderr). */
export interface ProgressStream {
  write(text: string): unknown;
  isTTY?: boolean;
  columns?: number;
}

const BAR_INTERVAL_MS = 100; // redraw the bar at most ten times a second
const LINE_INTERVAL_MS = 10_000; // without a terminal, one line every ten seconds

/** Reports batches of one epoch after another. */
export class Progress {
  private lastDraw = 0;
  private epochStart = 0;
  private drewBar = false;

  constructor(private readonly stream: ProgressStream, private readonly epochs: number, private readonly now: () => number = () => performance.now()) {}

  /** Marks the start of an epoch's batches. */
  startEpoch(): void {
    this.epochStart = this.now();
    this.lastDraw = this.epochStart;
  }

  /** After batch `done` of `total` (1-based) in `epoch`, with the running mean loss and throughput. */
  update(epoch: number, done: number, total: number, loss: number, examplesPerSec: number): void {
    const t = this.now();
    const interval = this.stream.isTTY ? BAR_INTERVAL_MS : LINE_INTERVAL_MS;
    if (t - this.lastDraw < interval && done < total) return;
    if (!this.stream.isTTY && done === total) return; // the epoch line follows right away
    this.lastDraw = t;
    const elapsed = (t - this.epochStart) / 1000;
    const eta = done > 0 ? (elapsed / done) * (total - done) : 0;
    const stats = `${done}/${total} loss ${loss.toFixed(3)} ${formatCount(examplesPerSec)} ex/s ETA ${formatDuration(eta)}`;
    if (this.stream.isTTY) {
      const width = Math.max(10, Math.min(30, (this.stream.columns ?? 80) - stats.length - 20));
      const filled = Math.round((width * done) / total);
      this.stream.write(`\r\x1b[2Kepoch ${epoch}/${this.epochs} [${"#".repeat(filled)}${"-".repeat(width - filled)}] ${stats}`);
      this.drewBar = true;
    } else {
      this.stream.write(`epoch ${epoch}/${this.epochs}: batch ${stats}\n`);
    }
  }

  /** Clears the bar so the next line prints cleanly. */
  clear(): void {
    if (this.drewBar) this.stream.write("\r\x1b[2K");
    this.drewBar = false;
  }
}

/** 12345.6 → "12,346". */
export function formatCount(value: number): string {
  return Math.round(value).toLocaleString("en-US");
}

/** Seconds → "1:05" or "1:02:03". */
export function formatDuration(seconds: number): string {
  const s = Math.max(0, Math.round(seconds));
  const h = Math.floor(s / 3600), m = Math.floor((s % 3600) / 60), r = s % 60;
  const mm = h > 0 ? String(m).padStart(2, "0") : String(m);
  return `${h > 0 ? `${h}:` : ""}${mm}:${String(r).padStart(2, "0")}`;
}
