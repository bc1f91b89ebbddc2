import type BetterSqlite3 from 'better-sqlite3';
import type { InboundHeaders } from '../../../shared/header-redact';
import { redactSecrets } from '../../../shared/redact';
import { byteSecretSpans } from './byte-secrets';
import { DEFAULT_SETTINGS } from '../../../shared/settings';
import type { AttemptRecord, RequestFinish, RequestStart } from '../../../shared/usage';
import type { BodyMode, RecordedRequestHeaders } from '../../../shared/usage-query';
import { CaptureBuffer, CHUNK_AGE_MS, type CaptureChunk } from './capture-buffer';
import { createCapturesRepo, type CapturesRepo } from './captures-repo';
import { FlushTimer } from './flush-timer';
import { OutageReporter } from './outage-reporter';
import { createRecordApplier, type RecordApplier, type UsageRecord } from './record-applier';
import { RecordQueue } from './record-queue';
import { describeStoreError, isRecordError } from '../schema/store-errors';
import {
  resolveWriterOptions,
  type CaptureSettings,
  type ResolvedWriterOptions,
  type UsageWriterOptions,
} from './usage-writer-options';

export { USAGE_WRITER_DEFAULTS, type CaptureSettings, type UsageWriterOptions } from './usage-writer-options';

/** What one transaction wrote: records from the queue, capture chunks from the buffer. */
interface Written {
  records: number;
  chunks: number;
}

/**
 * Records request lifecycles and captured frames without ever writing inside the caller's call:
 * records queue in memory and a timer writes them in short transactions (at most `tickBudgetMs`
 * each, so a burst of finishes never stalls a stream). Disk full, locks and read-only files keep the
 * records queued for a later retry instead of reaching the relay. Satisfies the proxy's UsageSink
 * and CaptureSink. Call close() before the process exits: the timer is unref'd.
 */
export class UsageWriter {
  private readonly applier: RecordApplier;
  private readonly captureRepo: CapturesRepo;
  private readonly captures: CaptureBuffer;
  private readonly writeTx: BetterSqlite3.Transaction<
    (entries: readonly UsageRecord[], chunks: readonly CaptureChunk[], deadline: number) => Written
  >;
  private readonly opts: ResolvedWriterOptions;
  private readonly reporter: OutageReporter;
  private readonly timer = new FlushTimer(() => this.tick());
  private readonly captureSettings: () => CaptureSettings;
  private readonly secrets: () => readonly string[];
  private readonly queue = new RecordQueue<UsageRecord>();
  private droppedCount = 0;
  private transactions = 0;
  private longestTimerMs = 0;
  private closed = false;
  /** Chunks due now were left for the next tick (the budget ran out). */
  private capturesDue = false;

  constructor(
    private readonly db: BetterSqlite3.Database,
    options: UsageWriterOptions = {},
  ) {
    this.opts = resolveWriterOptions(options);
    const sink = options.onError ?? ((message: string) => console.error(`[sluice] ${message}`));
    this.reporter = new OutageReporter(sink, this.opts.retryDelayMs, this.opts.maxRetryDelayMs);
    this.captureSettings = options.capture ?? (() => DEFAULT_SETTINGS);
    this.secrets = options.secrets ?? (() => []);
    this.applier = createRecordApplier(db);
    this.captureRepo = createCapturesRepo(db);
    this.captures = new CaptureBuffer(this.captureSettings, this.opts.maxCaptureMemoryBytes, options.now);
    this.writeTx = db.transaction((entries, chunks, deadline) => {
      const records = this.applier.applyUntil(entries, deadline);
      const complete = records === entries.length && chunks.length > 0;
      if (!complete) return { records, chunks: 0 };
      const secrets = this.secrets();
      const max = this.captureSettings().captureMaxTotalBytes;
      return {
        records,
        chunks: this.captureRepo.insertUntil(
          chunks,
          { text: (t) => redactSecrets(t, secrets), spans: (b) => byteSecretSpans(b, secrets) },
          deadline,
          max,
        ),
      };
    });
  }

  /** Records queued and not yet written. */
  get pending(): number {
    return this.queue.length;
  }

  /** Captured bytes held in memory, not yet written. */
  get pendingCaptureBytes(): number {
    return this.captures.pendingBytes;
  }

  /** Records dropped because the queue was full, since construction. */
  get dropped(): number {
    return this.droppedCount;
  }

  /** Transactions written since construction, and the longest one (ms, wall clock) of those the timer ran. */
  get writeStats(): { transactions: number; longestTimerMs: number } {
    return { transactions: this.transactions, longestTimerMs: this.longestTimerMs };
  }

  requestStarted(start: RequestStart): void {
    this.enqueue({ kind: 'start', start: { ...start } });
  }

  /** The first byte reached the client: `pending` → `streaming`. */
  requestStreaming(requestId: string): void {
    this.enqueue({ kind: 'streaming', requestId });
  }

  requestFinished(finish: RequestFinish): void {
    this.captures.finished(finish.requestId);
    this.enqueue({ kind: 'finish', finish: { ...finish } });
  }

  /** Records one upstream attempt (or skipped candidate); queued like the rest. */
  attemptFinished(attempt: AttemptRecord): void {
    this.enqueue({ kind: 'attempt', attempt: { ...attempt } });
  }

  /** One chunk of an attempt's raw response body; kept as it is, within the capture caps. */
  responseBytes(
    requestId: string,
    attempt: number,
    mode: BodyMode,
    offsetMs: number,
    bytes: Uint8Array,
    frames: number,
  ): void {
    if (this.closed) return;
    this.captures.responseBytes(requestId, attempt, mode, offsetMs, bytes, frames);
    this.schedule(CHUNK_AGE_MS);
  }

  /** A translated attempt's answer as re-encoded for the client; bounded like the response. */
  clientBytes(
    requestId: string,
    attempt: number,
    mode: BodyMode,
    offsetMs: number,
    bytes: Uint8Array,
    frames: number,
  ): void {
    if (this.closed) return;
    this.captures.clientBytes(requestId, attempt, mode, offsetMs, bytes, frames);
    this.schedule(CHUNK_AGE_MS);
  }

  /** The body a translated attempt sent its provider; kept only when `captureRequestBodies` is on. */
  upstreamRequestBody(requestId: string, attempt: number, body: Uint8Array): void {
    if (this.closed) return;
    this.captures.upstreamRequestBody(requestId, attempt, body);
    this.schedule(CHUNK_AGE_MS);
  }

  /** The inbound body; kept only when `captureRequestBodies` is on. */
  requestBody(requestId: string, body: Uint8Array): void {
    if (this.closed) return;
    this.captures.requestBody(requestId, body);
    this.schedule(CHUNK_AGE_MS);
  }

  /** The inbound line and headers, masked at once; kept for every request (see CaptureBuffer.requestHeaders). */
  requestHeaders(requestId: string, method: string, target: string, headers: InboundHeaders): void {
    if (this.closed) return;
    this.captures.requestHeaders(requestId, method, target, headers);
    this.schedule(CHUNK_AGE_MS);
  }

  /** Headers recorded (masked) already, on the thread that received them; as `requestHeaders`. */
  recordedHeaders(requestId: string, record: RecordedRequestHeaders): void {
    if (this.closed) return;
    this.captures.recordedHeaders(requestId, record);
    this.schedule(CHUNK_AGE_MS);
  }

  /** A response (or client-side) chunk that never reached this writer: see CaptureBuffer.lost. */
  lostBytes(requestId: string, side: 'response' | 'client', frames: number): void {
    if (this.closed) return;
    this.captures.lost(requestId, side, frames);
    this.schedule(CHUNK_AGE_MS);
  }

  /** One split delta's arrival and deliveries under smoothing; kept with the frames (see CaptureBuffer.smoothed). */
  smoothed(requestId: string, upstreamOffsetMs: number, deliveredOffsetsMs: readonly number[]): void {
    if (this.closed) return;
    this.captures.smoothed(requestId, upstreamOffsetMs, deliveredOffsetsMs);
    this.schedule(CHUNK_AGE_MS);
  }

  /** Writes everything queued now, synchronously; on failure keeps the rest queued and schedules a retry. */
  flush(): void {
    this.flushNow(false);
  }

  /** `final`: the writer closes, so an open stream's unfinished frame is written too (nothing follows it). */
  private flushNow(final: boolean): void {
    this.timer.clear();
    for (let left = this.backlog(); left > 0;) {
      if (!this.writeNext(Number.POSITIVE_INFINITY, true, final)) break;
      const now = this.backlog();
      if (now === left) break; // nothing more could be written; never spin
      left = now;
    }
    if (this.backlog() > 0) this.schedule(this.reporter.failing ? this.reporter.retryDelay() : 0);
  }

  /** Flushes synchronously and stops. Whatever still cannot be written is reported and discarded. */
  close(): void {
    if (this.closed) return;
    this.flushNow(true);
    this.timer.clear();
    this.closed = true;
    const [lost, bytes] = [this.pending, this.captures.pendingBytes];
    this.queue.clear();
    if (lost > 0) this.reporter.report('lost', `usage writer closed with ${lost} records it could not write`);
    if (bytes > 0)
      this.reporter.report('lost-bytes', `usage writer closed with ${bytes} captured bytes unwritten`);
  }

  /** Records plus captured bytes still to write. */
  private backlog(): number {
    return this.pending + this.captures.pendingBytes;
  }

  private enqueue(entry: UsageRecord): void {
    if (this.closed) {
      this.reporter.report('closed', 'usage writer is closed; dropping usage records');
      return;
    }
    if (this.pending >= this.opts.maxQueued) {
      this.queue.consume(1);
      this.droppedCount++;
      this.reporter.report(
        'full',
        `usage queue is full (${this.opts.maxQueued} records); dropping the oldest`,
      );
    }
    this.queue.push(entry);
    this.schedule(this.opts.flushDelayMs);
  }

  /**
   * Writes records until `deadline` (performance.now() ms) in one transaction; false if the database
   * refused it and the records stay queued. Captures ride along only with a transaction that empties
   * the queue, so every chunk lands after its request's start.
   */
  private writeNext(deadline: number, forceCaptures: boolean, final = false): boolean {
    const batch = this.queue.peek(this.opts.maxBatch);
    const drains = batch.length === this.pending;
    const chunks = drains ? this.captures.chunks(forceCaptures, final) : [];
    if (batch.length === 0 && chunks.length === 0) {
      this.captures.written([]); // forgets finished requests that had nothing left to write
      return true;
    }
    let written: Written;
    try {
      written = this.writeTx.immediate(batch, chunks, deadline);
      this.transactions++;
    } catch (err) {
      if (!isRecordError(err, this.db.open)) {
        this.reporter.failed(err, batch.length, this.droppedCount);
        return false;
      }
      return batch.length > 0 ? this.writeOneByOne(batch.length) : this.dropCaptures(err, chunks);
    }
    this.queue.consume(written.records);
    this.captures.written(chunks.slice(0, written.chunks));
    this.capturesDue = written.chunks < chunks.length;
    this.reporter.succeeded(this.droppedCount);
    return true;
  }

  // A record the schema rejects would fail every retry and hold up everything behind it,
  // so the batch is replayed one record per transaction and only the rejected ones dropped.
  private writeOneByOne(count: number): boolean {
    for (let i = 0; i < count && this.pending > 0; i++) {
      const entry = this.queue.first()!;
      try {
        this.writeTx.immediate([entry], [], Number.POSITIVE_INFINITY);
      } catch (err) {
        if (!isRecordError(err, this.db.open)) {
          this.reporter.failed(err, this.pending, this.droppedCount);
          return false;
        }
        const { key, text } = describeStoreError(err);
        this.reporter.report(`record:${key}`, `usage record rejected and dropped (${text})`);
      }
      this.queue.consume(1);
    }
    this.reporter.succeeded(this.droppedCount);
    return true;
  }

  private dropCaptures(err: unknown, chunks: readonly CaptureChunk[]): boolean {
    this.captures.written(chunks);
    const { key, text } = describeStoreError(err);
    this.reporter.report(`capture:${key}`, `captured frames rejected and dropped (${text})`);
    return true;
  }

  private schedule(delayMs: number): void {
    if (!this.closed) this.timer.schedule(delayMs);
  }

  // The timer writes one budgeted transaction per tick, so a deep backlog never holds the event loop.
  private tick(): void {
    if (this.backlog() === 0) return;
    const started = performance.now();
    const ok = this.writeNext(started + this.opts.tickBudgetMs, false);
    this.longestTimerMs = Math.max(this.longestTimerMs, performance.now() - started);
    if (this.pending > 0 || (ok && this.capturesDue)) this.schedule(ok ? 0 : this.reporter.retryDelay());
    else if (this.captures.pendingBytes > 0) this.schedule(ok ? CHUNK_AGE_MS : this.reporter.retryDelay());
  }
}
