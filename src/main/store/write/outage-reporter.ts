import { describeStoreError } from '../schema/store-errors';

/**
 * The writer's view of a database it cannot write: counts consecutive failures for the backoff,
 * tells the operator about each distinct problem once however often it recurs, and says once when
 * writes work again (and whether anything was lost meanwhile). A reporter that throws is ignored:
 * a usage problem must never become a relay failure.
 */
export class OutageReporter {
  private readonly seen = new Set<string>();
  private failures = 0;
  private droppedBefore = 0;

  constructor(
    private readonly sink: (message: string) => void,
    private readonly retryDelayMs: number,
    private readonly maxRetryDelayMs: number,
  ) {}

  /** True while writes are failing. */
  get failing(): boolean {
    return this.failures > 0;
  }

  /** Wait before the next attempt, ms: doubles per consecutive failure, capped. */
  retryDelay(): number {
    return Math.min(this.retryDelayMs * 2 ** Math.max(0, this.failures - 1), this.maxRetryDelayMs);
  }

  /** A write failed with `err`; `queued` records wait, `droppedSoFar` is the writer's drop count. */
  failed(err: unknown, queued: number, droppedSoFar: number): void {
    if (this.failures === 0) this.droppedBefore = droppedSoFar;
    this.failures++;
    const { key, text } = describeStoreError(err);
    this.report(`write:${key}`, `usage write failed (${text}); keeping ${queued} records queued, retrying`);
  }

  /** A write worked: ends an outage, if there was one. */
  succeeded(droppedSoFar: number): void {
    if (this.failures === 0) return;
    const failures = this.failures;
    const lost = droppedSoFar - this.droppedBefore;
    this.failures = 0;
    const fate = lost === 0 ? 'nothing was lost' : `${lost} records were dropped while the queue was full`;
    this.seen.clear();
    this.report('recovered', `usage writes work again after ${failures} failed attempt(s); ${fate}`);
    // The next outage deserves its own reports.
    this.seen.clear();
  }

  /** Tells `message` unless `key` was told already during this outage (or, outside one, ever). */
  report(key: string, message: string): void {
    if (this.seen.has(key)) return;
    this.seen.add(key);
    try {
      this.sink(message);
    } catch {
      // see above
    }
  }
}
