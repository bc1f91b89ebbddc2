import BetterSqlite3 from 'better-sqlite3';
import type { AttemptRecord, RequestFinish, RequestStart } from '../../shared/usage';
import { createAttemptsRepo, type AttemptsRepo } from './attempts-repo';
import { createRequestsRepo, type RequestsRepo } from './requests-repo';

export interface UsageWriterOptions {
  /** Wait after the first queued record before writing, in ms, so a burst shares one transaction. */
  flushDelayMs?: number;
  /** Most records held in memory; beyond it the oldest are dropped and counted. */
  maxQueued?: number;
  /** Most records per transaction, so one flush never holds the event loop for long. */
  maxBatch?: number;
  /** First retry after a failed write, in ms; doubles per consecutive failure up to maxRetryDelayMs. */
  retryDelayMs?: number;
  maxRetryDelayMs?: number;
  /** Told once per distinct problem (per outage); must not throw. Default: one console.error line. */
  onError?: (message: string) => void;
}

export const USAGE_WRITER_DEFAULTS = {
  flushDelayMs: 25,
  maxQueued: 100_000,
  maxBatch: 5_000,
  retryDelayMs: 1_000,
  maxRetryDelayMs: 30_000,
} as const;

type Entry =
  | { kind: 'start'; start: RequestStart }
  | { kind: 'streaming'; requestId: string }
  | { kind: 'finish'; finish: RequestFinish }
  | { kind: 'attempt'; attempt: AttemptRecord };

// Errors that belong to one record, not to the database: retrying the same record can never help.
const RECORD_ERROR_CODE = /^SQLITE_(CONSTRAINT|MISMATCH|TOOBIG|RANGE)/;

function describe(err: unknown): { key: string; text: string } {
  if (err instanceof BetterSqlite3.SqliteError) return { key: err.code, text: `${err.code}: ${err.message}` };
  const text = err instanceof Error ? err.message : String(err);
  return { key: text, text };
}

/**
 * Records request lifecycles without ever writing inside the caller's call: records queue in memory
 * and a timer writes them in one transaction per batch. Disk full, locks and read-only files keep
 * the records queued for a later retry instead of reaching the relay. Satisfies the proxy's UsageSink.
 * Call close() before the process exits: the timer is unref'd and will not keep the process alive.
 */
export class UsageWriter {
  private readonly repo: RequestsRepo;
  private readonly attempts: AttemptsRepo;
  private readonly writeTx: BetterSqlite3.Transaction<(entries: readonly Entry[]) => void>;
  private readonly opts: Required<Omit<UsageWriterOptions, 'onError'>>;
  private readonly onError: (message: string) => void;
  // A plain array read from `head`: dropping the oldest or consuming a batch is O(1).
  private queue: Entry[] = [];
  private head = 0;
  private timer: NodeJS.Timeout | undefined;
  private failures = 0;
  private droppedCount = 0;
  private closed = false;
  private readonly reported = new Set<string>();

  constructor(
    private readonly db: BetterSqlite3.Database,
    options: UsageWriterOptions = {},
  ) {
    const d = USAGE_WRITER_DEFAULTS;
    this.opts = {
      flushDelayMs: options.flushDelayMs ?? d.flushDelayMs,
      maxQueued: Math.max(1, options.maxQueued ?? d.maxQueued),
      maxBatch: Math.max(1, options.maxBatch ?? d.maxBatch),
      retryDelayMs: options.retryDelayMs ?? d.retryDelayMs,
      maxRetryDelayMs: options.maxRetryDelayMs ?? d.maxRetryDelayMs,
    };
    this.onError = options.onError ?? ((message) => console.error(`[sluice] ${message}`));
    this.repo = createRequestsRepo(db);
    this.attempts = createAttemptsRepo(db);
    this.writeTx = db.transaction((entries: readonly Entry[]) => {
      for (const e of entries) this.apply(e);
    });
  }

  /** Records queued and not yet written. */
  get pending(): number {
    return this.queue.length - this.head;
  }

  /** Records dropped because the queue was full, since construction. */
  get dropped(): number {
    return this.droppedCount;
  }

  requestStarted(start: RequestStart): void {
    this.enqueue({ kind: 'start', start: { ...start } });
  }

  /** The first byte reached the client: `pending` → `streaming`. */
  requestStreaming(requestId: string): void {
    this.enqueue({ kind: 'streaming', requestId });
  }

  requestFinished(finish: RequestFinish): void {
    this.enqueue({ kind: 'finish', finish: { ...finish } });
  }

  /** Records one upstream attempt (or skipped candidate); queued like the rest. */
  attemptFinished(attempt: AttemptRecord): void {
    this.enqueue({ kind: 'attempt', attempt: { ...attempt } });
  }

  /** Writes everything queued now, synchronously; on failure keeps the rest queued and schedules a retry. */
  flush(): void {
    this.clearTimer();
    while (this.pending > 0 && this.writeNext()) {
      // keep draining
    }
    if (this.pending > 0) this.schedule(this.failures > 0 ? this.retryDelay() : 0);
  }

  /** Flushes synchronously and stops. Whatever still cannot be written is reported and discarded. */
  close(): void {
    if (this.closed) return;
    this.flush();
    this.clearTimer();
    this.closed = true;
    const lost = this.pending;
    this.queue = [];
    this.head = 0;
    if (lost > 0) this.report('close-lost', `usage writer closed with ${lost} records it could not write`);
  }

  private apply(e: Entry): void {
    switch (e.kind) {
      case 'start':
        this.repo.insertStarted(e.start);
        return;
      case 'streaming':
        this.repo.markStreaming(e.requestId);
        return;
      case 'finish':
        // A finish whose start was dropped from a full queue updates nothing; that loss is already counted.
        this.repo.applyFinish(e.finish);
        return;
      case 'attempt':
        this.attempts.insert(e.attempt);
        return;
    }
  }

  private enqueue(entry: Entry): void {
    if (this.closed) {
      this.report('closed', 'usage writer is closed; dropping usage records');
      return;
    }
    if (this.pending >= this.opts.maxQueued) {
      // consume() rather than head++, so the array itself is compacted during a long outage too.
      this.consume(1);
      this.droppedCount++;
      this.report('full', `usage queue is full (${this.opts.maxQueued} records); dropping the oldest`);
    }
    this.queue.push(entry);
    this.schedule(this.opts.flushDelayMs);
  }

  /** Writes one batch; false if the database refused it and the records stay queued. */
  private writeNext(): boolean {
    const batch = this.queue.slice(this.head, this.head + this.opts.maxBatch);
    try {
      this.writeBatch(batch);
    } catch (err) {
      if (this.isRecordError(err)) return this.writeOneByOne(batch.length);
      this.failed(err, batch.length);
      return false;
    }
    this.consume(batch.length);
    this.succeeded();
    return true;
  }

  // A record the schema rejects would fail every retry and hold up everything behind it,
  // so the batch is replayed one record per transaction and only the rejected ones dropped.
  private writeOneByOne(count: number): boolean {
    for (let i = 0; i < count && this.pending > 0; i++) {
      const entry = this.queue[this.head]!;
      try {
        this.writeBatch([entry]);
      } catch (err) {
        if (!this.isRecordError(err)) {
          this.failed(err, this.pending);
          return false;
        }
        this.consume(1);
        const { key, text } = describe(err);
        this.report(`record:${key}`, `usage record rejected and dropped (${text})`);
        continue;
      }
      this.consume(1);
    }
    this.succeeded();
    return true;
  }

  // IMMEDIATE takes the write lock up front, so a lock held elsewhere waits in busy_timeout
  // instead of failing halfway through the batch.
  private writeBatch(entries: readonly Entry[]): void {
    this.writeTx.immediate(entries);
  }

  private isRecordError(err: unknown): boolean {
    if (err instanceof BetterSqlite3.SqliteError) return RECORD_ERROR_CODE.test(err.code);
    // Bind errors (a value SQLite cannot store) are TypeError/RangeError; on a closed handle they
    // are about the connection, and the records must wait.
    return (err instanceof TypeError || err instanceof RangeError) && this.db.open;
  }

  private failed(err: unknown, queued: number): void {
    this.failures++;
    const { key, text } = describe(err);
    this.report(`write:${key}`, `usage write failed (${text}); keeping ${queued} records queued, retrying`);
  }

  private succeeded(): void {
    if (this.failures === 0) return;
    this.failures = 0;
    // The outage is over: the next one deserves its own report.
    this.reported.clear();
  }

  private consume(n: number): void {
    this.head += n;
    if (this.head >= this.queue.length) {
      this.queue = [];
      this.head = 0;
    } else if (this.head > 4096 && this.head * 2 > this.queue.length) {
      this.queue = this.queue.slice(this.head);
      this.head = 0;
    }
  }

  private retryDelay(): number {
    const { retryDelayMs, maxRetryDelayMs } = this.opts;
    return Math.min(retryDelayMs * 2 ** Math.max(0, this.failures - 1), maxRetryDelayMs);
  }

  private schedule(delayMs: number): void {
    if (this.timer !== undefined || this.closed) return;
    this.timer = setTimeout(() => {
      this.timer = undefined;
      this.flushOneBatch();
    }, delayMs);
    this.timer.unref();
  }

  // The timer writes one batch per tick so a deep backlog never holds the event loop in one go.
  private flushOneBatch(): void {
    if (this.pending === 0) return;
    const ok = this.writeNext();
    if (this.pending > 0) this.schedule(ok ? 0 : this.retryDelay());
  }

  private clearTimer(): void {
    if (this.timer === undefined) return;
    clearTimeout(this.timer);
    this.timer = undefined;
  }

  private report(key: string, message: string): void {
    if (this.reported.has(key)) return;
    this.reported.add(key);
    try {
      this.onError(message);
    } catch {
      // A broken reporter must not turn a usage problem into a relay failure.
    }
  }
}
