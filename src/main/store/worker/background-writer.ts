import type { Worker } from 'node:worker_threads';
import { recordRequestHeaders, type InboundHeaders } from '../../../shared/header-redact';
import { DEFAULT_SETTINGS } from '../../../shared/settings';
import type { AttemptRecord, RequestFinish, RequestStart } from '../../../shared/usage';
import type { BodyMode } from '../../../shared/usage-query';
import { FlushTimer } from '../write/flush-timer';
import {
  resolveBackgroundOptions,
  type BackgroundWriterOptions,
  type ResolvedBackgroundOptions,
} from './background-options';
import { BatchBuilder } from './batch';
import type { FromWorker, ObjectOp, StoreSettings, ToWorker } from './protocol';
import { Backlog } from './backlog';
import { spawnStoreWorker } from './spawn';

export { BACKGROUND_WRITER_DEFAULTS, type BackgroundWriterOptions } from './background-options';

/**
 * The usage writer as the main thread sees it: the same calls as UsageWriter (the proxy's UsageSink
 * and CaptureSink), but each only appends to a batch, and a timer posts the batch to the store worker
 * (store-worker.ts), which does compression, the secret screen and every write on its own connection.
 * Bounded: what waits here or in flight to the worker is at most `maxQueued` records and
 * `maxCaptureMemoryBytes` of captures; past either, the newest are dropped, counted and reported once.
 * A worker that dies is reported and started again (backoff as for a failed write); `flush()` blocks
 * until the worker has written what was sent (at most `flushTimeoutMs`); `close()` drains it.
 */
export class BackgroundWriter {
  private readonly opts: ResolvedBackgroundOptions;
  private readonly sink: (message: string) => void;
  private readonly capture: () => StoreSettings;
  private readonly secrets: () => readonly string[];
  private readonly barrier = new SharedArrayBuffer(4);
  private readonly flushed = new Int32Array(this.barrier);
  private readonly timer = new FlushTimer(() => this.post());
  private worker: Worker | null = null;
  private lastWorkerError: string | null = null;
  private restartTimer: NodeJS.Timeout | undefined;
  private restarts = 0;
  // The batch being collected: calls in order, the chunks they keep, and what it weighs.
  private readonly batch = new BatchBuilder();
  private readonly backlog: Backlog;
  private seq = 0;
  private barrierSeq = 0;
  /** Messages went to the worker since the last flush it finished (a new worker counts: it may not be up). */
  private unflushed = true;
  private sentSettings: StoreSettings | null = null;
  private sentSecrets: string | null = null;
  private sentSecretsList: readonly string[] | null = null;
  private closeReported = false;
  private retaining = false;
  private closed = false;

  constructor(
    private readonly file: string,
    options: BackgroundWriterOptions = {},
  ) {
    this.opts = resolveBackgroundOptions(options);
    this.sink = options.onError ?? ((message: string) => console.error(`[sluice] ${message}`));
    this.capture = options.capture ?? (() => DEFAULT_SETTINGS);
    this.secrets = options.secrets ?? (() => []);
    this.backlog = new Backlog(this.opts.maxQueued, this.opts.maxCaptureMemoryBytes, this.sink);
    this.start();
  }

  /** Records waiting here or in flight to the worker (not what the worker holds). */
  get pending(): number {
    return this.backlog.records;
  }

  /** Records and captured bytes the bounds dropped on this side, since construction. */
  get dropped(): { records: number; bytes: number } {
    return this.backlog.dropped;
  }

  /** True while a worker runs. */
  get running(): boolean {
    return this.worker !== null;
  }

  requestStarted(start: RequestStart): void {
    this.record({ op: 'start', start: { ...start } });
  }

  requestStreaming(requestId: string): void {
    this.record({ op: 'streaming', requestId });
  }

  requestFinished(finish: RequestFinish): void {
    this.record({ op: 'finish', finish: { ...finish } });
  }

  attemptFinished(attempt: AttemptRecord): void {
    this.record({ op: 'attempt', attempt: { ...attempt } });
  }

  responseBytes(
    requestId: string,
    attempt: number,
    mode: BodyMode,
    offsetMs: number,
    bytes: Uint8Array,
    frames: number,
  ): void {
    this.chunk('response', requestId, attempt, mode, offsetMs, bytes, frames);
  }

  clientBytes(
    requestId: string,
    attempt: number,
    mode: BodyMode,
    offsetMs: number,
    bytes: Uint8Array,
    frames: number,
  ): void {
    this.chunk('client', requestId, attempt, mode, offsetMs, bytes, frames);
  }

  upstreamRequestBody(requestId: string, attempt: number, body: Uint8Array): void {
    if (this.closed || !this.capture().captureRequestBodies || !this.backlog.admitBytes(body.length)) return;
    this.push(
      { op: 'upstream-request', requestId, attempt, at: this.batch.bytes, length: body.length },
      body,
    );
  }

  requestBody(requestId: string, body: Uint8Array): void {
    if (this.closed || !this.capture().captureRequestBodies || !this.backlog.admitBytes(body.length)) return;
    this.push({ op: 'request-body', requestId, at: this.batch.bytes, length: body.length }, body);
  }

  /** Masked here, at once (src/shared/header-redact.ts): no clear credential crosses to the worker. */
  requestHeaders(requestId: string, method: string, target: string, headers: InboundHeaders): void {
    if (this.closed) return;
    const record = recordRequestHeaders(method, target, headers);
    const cost = 64 + record.target.length + record.headers.length * 64;
    if (!this.backlog.admitBytes(cost)) return;
    this.push({ op: 'headers', requestId, record });
  }

  smoothed(requestId: string, upstreamOffsetMs: number, deliveredOffsetsMs: readonly number[]): void {
    if (this.closed || !this.capture().captureFrames) return;
    const cost = 48 + 8 * deliveredOffsetsMs.length;
    if (!this.backlog.admitBytes(cost)) return;
    this.push({ op: 'smoothed', requestId, upstreamOffsetMs, deliveredOffsetsMs });
  }

  /**
   * Sends what is batched and blocks until the worker has written everything it was sent (its
   * `UsageWriter.flush`), so a read right after sees it. Cheap when nothing was sent since the last
   * flush. Bounded by `flushTimeoutMs`; after a flush that timed out, later ones do not wait again
   * until the worker has finished it (a stuck worker costs the caller one wait, not one per read).
   */
  flush(): void {
    this.timer.clear();
    this.post();
    if (this.worker === null || !this.unflushed) return;
    if (Atomics.load(this.flushed, 0) < this.barrierSeq) return;
    this.unflushed = false;
    const seq = ++this.barrierSeq;
    const posted = this.seq;
    this.send({ type: 'flush', seq });
    // The worker takes messages in order: every batch before the flush is in, whatever acks say yet.
    if (this.awaitBarrier(seq, this.opts.flushTimeoutMs)) this.backlog.acked(posted);
  }

  /**
   * Tests only: runs `text` as a PRAGMA on the worker's connection (a page cap makes a full disk) and
   * waits for it, as `flush` does. Returns false when there is no worker or it did not answer in time.
   */
  pragma(text: string): boolean {
    this.post();
    if (this.worker === null) return false;
    const seq = ++this.barrierSeq;
    this.send({ type: 'pragma', seq, text });
    return this.awaitBarrier(seq, this.opts.flushTimeoutMs);
  }

  /**
   * Starts retention in the worker (write/retention.ts: a run now, then daily), so its deletes never
   * hold the relay's thread; `close()` stops it. Again after a worker restart.
   */
  startRetention(): void {
    this.retaining = true;
    this.send({ type: 'retention', settings: captureSettings(this.capture()) });
  }

  /**
   * Sends what is batched, lets the worker write what it can (and report what it cannot) and waits
   * for it to end, at most `closeTimeoutMs`; a worker still busy then is stopped and the loss told.
   */
  async close(): Promise<void> {
    if (this.closed) return;
    this.closed = true;
    this.timer.clear();
    clearTimeout(this.restartTimer);
    this.post();
    const worker = this.worker;
    if (worker === null) {
      if (this.pending > 0) this.sink(`usage writer closed with ${this.pending} records it could not write`);
      return;
    }
    // Unref'd, the worker would let the process end before it has written anything.
    worker.ref();
    const exited = new Promise<'exited'>((resolve) => worker.once('exit', () => resolve('exited')));
    let timer: NodeJS.Timeout | undefined;
    const late = new Promise<'late'>(
      (resolve) => (timer = setTimeout(() => resolve('late'), this.opts.closeTimeoutMs)),
    );
    this.send({ type: 'close' });
    const how = await Promise.race([exited, late]);
    clearTimeout(timer);
    if (how === 'late') {
      this.sink(
        `usage store worker did not finish writing within ${this.opts.closeTimeoutMs} ms; stopped it, what it held is lost`,
      );
      await worker.terminate();
    }
  }

  private record(op: ObjectOp): void {
    if (this.closed) {
      if (!this.closeReported) this.sink('usage writer is closed; dropping usage records');
      this.closeReported = true;
      return;
    }
    if (this.backlog.admitRecord()) this.push(op);
  }

  private chunk(
    op: 'response' | 'client',
    requestId: string,
    attempt: number,
    mode: BodyMode,
    offsetMs: number,
    bytes: Uint8Array,
    frames: number,
  ): void {
    if (this.closed || bytes.length === 0 || !this.capture().captureFrames) return;
    // Past the bound the worker still learns of the chunk, so the side ends there instead of tearing.
    const kept = this.backlog.admitBytes(bytes.length) ? bytes : null;
    this.batch.chunk(op, requestId, attempt, mode, offsetMs, frames, kept);
    this.scheduleBatch();
  }

  // The chunk is held as it is until the batch is posted (the caller never changes it after).
  private push(op: ObjectOp, bytes?: Uint8Array): void {
    this.batch.object(op, bytes);
    this.scheduleBatch();
  }

  private scheduleBatch(): void {
    this.timer.schedule(this.batch.bytes >= this.opts.batchMaxBytes ? 0 : this.opts.batchDelayMs);
  }

  /** Posts the batch: one message, its chunks copied once into one transferred buffer. */
  private post(): void {
    const worker = this.worker;
    if (worker === null || this.batch.empty) return;
    const { batch, transfer } = this.batch.take(++this.seq);
    const settings = captureSettings(this.capture());
    if (this.sentSettings === null || !sameSettings(settings, this.sentSettings)) {
      batch.settings = settings;
      this.sentSettings = settings;
    }
    // The providers' keys go to the worker for the byte screen only when they change; never logged.
    // The same list as last time (a source that keeps it until it changes) is not joined again.
    const secrets = this.secrets();
    if (secrets !== this.sentSecretsList) {
      const key = secrets.join('\n');
      if (key !== this.sentSecrets) {
        batch.secrets = [...secrets];
        this.sentSecrets = key;
      }
      this.sentSecretsList = secrets;
    }
    worker.postMessage(batch, transfer);
    this.backlog.posted(batch.seq);
    this.unflushed = true;
  }

  private send(message: ToWorker): void {
    this.worker?.postMessage(message);
  }

  private awaitBarrier(seq: number, timeoutMs: number): boolean {
    const deadline = performance.now() + timeoutMs;
    for (;;) {
      const done = Atomics.load(this.flushed, 0);
      if (done >= seq) return true;
      const left = deadline - performance.now();
      if (left <= 0 || this.worker === null) return false;
      Atomics.wait(this.flushed, 0, done, left);
    }
  }

  private onMessage(m: FromWorker): void {
    if (m.type === 'log') return this.sink(m.message);
    this.restarts = 0;
    this.backlog.acked(m.seq);
  }

  private start(): void {
    let worker: Worker;
    try {
      worker = spawnStoreWorker({
        file: this.file,
        nativeBinding: this.opts.nativeBinding ?? null,
        busyTimeoutMs: this.opts.busyTimeoutMs,
        writer: this.opts.writer,
        barrier: this.barrier,
      });
    } catch (err) {
      this.sink(`usage store worker could not start (${err instanceof Error ? err.message : String(err)})`);
      this.restartLater();
      return;
    }
    // A new worker knows no settings or keys yet: the next batch carries them.
    this.sentSettings = null;
    this.sentSecrets = null;
    this.sentSecretsList = null;
    this.lastWorkerError = null;
    worker.unref();
    worker.on('message', (m: FromWorker) => this.onMessage(m));
    worker.on('error', (err) => (this.lastWorkerError = err.message));
    worker.on('exit', (code) => this.onExit(worker, code));
    this.worker = worker;
    this.unflushed = true;
    if (!this.batch.empty) this.timer.schedule(0);
    if (this.retaining) this.send({ type: 'retention', settings: captureSettings(this.capture()) });
  }

  private onExit(worker: Worker, code: number): void {
    if (this.worker !== worker) return;
    this.worker = null;
    // A flush it never finished will not finish: the next one must not wait for it.
    Atomics.store(this.flushed, 0, this.barrierSeq);
    if (this.closed) return;
    const why = this.lastWorkerError ?? `exit code ${code}`;
    const { records, bytes } = this.backlog.lost();
    this.sink(
      `usage store worker stopped (${why}); what it held unwritten is lost (at least ${records} records and ${bytes} captured bytes); starting it again`,
    );
    this.restartLater();
  }

  private restartLater(): void {
    if (this.closed) return;
    const delay = Math.min(
      this.opts.writer.retryDelayMs * 2 ** this.restarts,
      this.opts.writer.maxRetryDelayMs,
    );
    this.restarts++;
    this.restartTimer = setTimeout(() => this.start(), delay);
    this.restartTimer.unref();
  }
}

function captureSettings(s: StoreSettings): StoreSettings {
  return {
    captureFrames: s.captureFrames,
    captureRequestBodies: s.captureRequestBodies,
    captureMaxBytesPerRequest: s.captureMaxBytesPerRequest,
    captureMaxTotalBytes: s.captureMaxTotalBytes,
    retentionDays: s.retentionDays,
    captureRetentionDays: s.captureRetentionDays,
  };
}

function sameSettings(a: StoreSettings, b: StoreSettings): boolean {
  return (
    a.captureFrames === b.captureFrames &&
    a.captureRequestBodies === b.captureRequestBodies &&
    a.captureMaxBytesPerRequest === b.captureMaxBytesPerRequest &&
    a.captureMaxTotalBytes === b.captureMaxTotalBytes &&
    a.retentionDays === b.retentionDays &&
    a.captureRetentionDays === b.captureRetentionDays
  );
}
