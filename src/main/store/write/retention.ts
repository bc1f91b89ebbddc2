import type BetterSqlite3 from 'better-sqlite3';
import { createCapturesRepo } from './captures-repo';
import { createRollupRepo } from './rollup-repo';
import { describeStoreError } from '../schema/store-errors';

/** How long rows and captures are kept, in days. */
export interface RetentionSettings {
  retentionDays: number;
  captureRetentionDays: number;
}

export interface RetentionResult {
  requests: number;
  captureChunks: number;
  hours: number;
}

export interface RetentionOptions {
  nowMs?: number;
  /** Most rows per transaction (default 1000). */
  batchSize?: number;
  /**
   * Longest a batch should hold the write lock (and the event loop), ms (default 20): a slower batch
   * halves the next one, down to 50 rows; a quick one doubles it back up to `batchSize`.
   */
  batchBudgetMs?: number;
  /** Awaited between batches so the relay and the usage writer run in between; default: one macrotask. */
  pause?: () => Promise<void>;
  /** Checked between batches; true stops the run early (shutdown). */
  stopped?: () => boolean;
}

const DAY_MS = 86_400_000;
export const RETENTION_BATCH = 1000;
const RETENTION_BATCH_BUDGET_MS = 20;
const MIN_BATCH = 50;
export const RETENTION_INTERVAL_MS = DAY_MS;

const nextMacrotask = (): Promise<void> => new Promise((resolve) => setImmediate(resolve));

/**
 * Deletes captures older than `captureRetentionDays`, then requests older than `retentionDays` (their
 * attempts and captures go with them) and the hourly totals of the hours that ended before the cutoff.
 * Open requests are never deleted. Throws what SQLite throws (a locked or damaged file).
 */
export async function runRetention(
  db: BetterSqlite3.Database,
  settings: RetentionSettings,
  opts: RetentionOptions = {},
): Promise<RetentionResult> {
  const now = opts.nowMs ?? Date.now();
  const maxBatch = Math.max(1, opts.batchSize ?? RETENTION_BATCH);
  const budget = opts.batchBudgetMs ?? RETENTION_BATCH_BUDGET_MS;
  let batch = maxBatch;
  const pause = opts.pause ?? nextMacrotask;
  const stopped = opts.stopped ?? (() => false);
  const captures = createCapturesRepo(db);
  const rollup = createRollupRepo(db);
  const expireRequests = db.prepare<[number, number]>(
    `DELETE FROM requests WHERE rowid IN (
       SELECT rowid FROM requests WHERE started_at < ? AND status NOT IN ('pending', 'streaming')
       ORDER BY started_at LIMIT ?)`,
  );
  const result: RetentionResult = { requests: 0, captureChunks: 0, hours: 0 };
  const inBatches = async (step: (limit: number) => number): Promise<number> => {
    let total = 0;
    while (!stopped()) {
      const limit = batch;
      const started = performance.now();
      const n = db.transaction(step).immediate(limit);
      const took = performance.now() - started;
      total += n;
      if (n < limit) break;
      if (took > budget) batch = Math.max(Math.min(MIN_BATCH, maxBatch), Math.floor(batch / 2));
      else if (took < budget / 3) batch = Math.min(maxBatch, batch * 2);
      await pause();
    }
    return total;
  };

  const captureCutoff = now - settings.captureRetentionDays * DAY_MS;
  result.captureChunks = await inBatches((limit) => captures.deleteOlderThan(captureCutoff, limit));
  const rowCutoff = now - settings.retentionDays * DAY_MS;
  result.requests = await inBatches((limit) => expireRequests.run(rowCutoff, limit).changes);
  if (!stopped()) result.hours = db.transaction(() => rollup.deleteHoursEndingBy(rowCutoff)).immediate();
  return result;
}

/** Runs retention at start and then daily, never two runs at once; unref'd timers. */
export class RetentionJob {
  private timer: NodeJS.Timeout | undefined;
  private running: Promise<RetentionResult | null> | null = null;
  private stopping = false;

  constructor(
    private readonly db: BetterSqlite3.Database,
    private readonly settings: () => RetentionSettings,
    private readonly log: (line: string) => void,
    private readonly intervalMs = RETENTION_INTERVAL_MS,
  ) {}

  /** Starts a run now (in the background) and one every interval after it. */
  start(): void {
    void this.runNow();
    this.timer = setInterval(() => void this.runNow(), this.intervalMs);
    this.timer.unref();
  }

  /** One run now, or the one already in progress; resolves to null when it failed (the error is logged). */
  runNow(): Promise<RetentionResult | null> {
    if (this.running !== null) return this.running;
    if (this.stopping || !this.db.open) return Promise.resolve(null);
    this.running = runRetention(this.db, this.settings(), { stopped: () => this.stopping })
      .catch((err: unknown) => {
        // Retention retries by itself tomorrow; a locked or full database is the writer's to report too.
        this.log(`retention skipped (${describeStoreError(err).text}); trying again at the next run`);
        return null;
      })
      .finally(() => {
        this.running = null;
      });
    return this.running;
  }

  /** Stops the timer and lets a run in progress end at its next batch boundary. */
  async stop(): Promise<void> {
    this.stopping = true;
    if (this.timer !== undefined) clearInterval(this.timer);
    this.timer = undefined;
    await this.running;
  }
}
