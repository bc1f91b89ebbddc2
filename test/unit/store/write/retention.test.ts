import BetterSqlite3 from 'better-sqlite3';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { createCapturesRepo } from '../../../../src/main/store/write/captures-repo';
import { closeDatabase, openDatabase, type Database } from '../../../../src/main/store/schema/db';
import { RetentionJob, runRetention } from '../../../../src/main/store/write/retention';
import { framesOfSegment } from '../../../../src/main/proxy/capture-frames';
import { createUsageQueries } from '../../../../src/main/store/read/usage-queries';
import { UsageWriter } from '../../../../src/main/store/write/usage-writer';
import { aFinish, aStart } from '../fixtures';
import { useTempDir } from '../temp-dir';

const tempDir = useTempDir();
const DAY = 86_400_000;
const NOW = Date.UTC(2025, 6, 1, 12);
let db: Database;

beforeEach(() => {
  db = openDatabase(join(tempDir(), 'usage.db'), { busyTimeoutMs: 10 });
});
afterEach(() => closeDatabase(db));

/** `n` finished requests started `daysAgo` days before NOW, each with an attempt and a frame captured at its start. */
function requestsAt(daysAgo: number, n: number, open = false): string[] {
  const ids: string[] = [];
  const w = new UsageWriter(db, { now: () => NOW - daysAgo * DAY });
  for (let i = 0; i < n; i++) {
    const s = aStart({ startedAtMs: NOW - daysAgo * DAY + i });
    ids.push(s.requestId);
    w.requestStarted(s);
    w.attemptFinished({
      requestId: s.requestId,
      attemptNo: 1,
      provider: 'p',
      startedAtMs: s.startedAtMs,
      phase: 'relay',
      outcome: 'committed',
      reason: null,
      httpStatus: 200,
      durationMs: 1,
      bodyHead: null,
      translatedTo: null,
    });
    w.responseBytes(s.requestId, 1, 'sse', 5, Buffer.from('data: {"x":1}\n\n'), 1);
    if (!open) w.requestFinished(aFinish(s.requestId));
  }
  w.close();
  return ids;
}

const count = (table: string): number =>
  db.prepare<[], { n: number }>(`SELECT count(*) AS n FROM ${table}`).get()!.n;

describe('retention', () => {
  it('deletes old captures first, then old rows with their attempts and hourly totals, in batches', async () => {
    const ancient = requestsAt(100, 25);
    const oldOpen = requestsAt(95, 2, true);
    const middle = requestsAt(20, 5);
    const fresh = requestsAt(1, 5);
    expect(count('captures')).toBe(37); // open requests' frames are written too, at close
    const batches: number[] = [];
    const result = await runRetention(
      db,
      { retentionDays: 90, captureRetentionDays: 14 },
      {
        nowMs: NOW,
        batchSize: 10,
        pause: () => {
          batches.push(1);
          return Promise.resolve();
        },
      },
    );
    // 25 + 5 captures older than 14 days, 10 at a time; 25 old finished rows, 10 at a time.
    expect(result).toMatchObject({ captureChunks: 32, requests: 25 });
    expect(batches.length).toBe(3 + 2);
    const q = createUsageQueries(db, framesOfSegment);
    const left = new Set(q.listRequests().map((r) => r.requestId));
    for (const id of ancient) expect(left.has(id)).toBe(false);
    for (const id of [...oldOpen, ...middle, ...fresh]) expect(left.has(id)).toBe(true);
    expect(count('attempts')).toBe(12);
    expect(q.getRequest(middle[0]!)?.capture.frames).toEqual([]);
    expect(q.getRequest(fresh[0]!)?.capture.frames).toHaveLength(1);
    expect(createCapturesRepo(db).totalBytes()).toBe(
      db.prepare<[], { n: number }>('SELECT coalesce(sum(bytes), 0) AS n FROM captures').get()!.n,
    );
    // The hours the deleted rows lived in are gone from the totals too.
    expect(q.summarize({ bucket: 'all', groupBy: 'none', untilMs: NOW - 90 * DAY })).toEqual([]);
    expect(q.summarize({ bucket: 'all', groupBy: 'none' })[0]?.requests).toBe(10);
  });

  it('halves a batch that took longer than its budget, so no transaction holds the app for long', async () => {
    const run = async (budget: number): Promise<number> => {
      let pauses = 0;
      await runRetention(
        db,
        { retentionDays: 90, captureRetentionDays: 90 },
        {
          nowMs: NOW,
          batchSize: 200,
          batchBudgetMs: budget,
          pause: () => {
            pauses++;
            return Promise.resolve();
          },
        },
      );
      return pauses;
    };
    requestsAt(100, 300);
    // Every batch over budget: captures 200, 100, then rows 50 at a time (the floor), six full batches.
    expect(await run(0)).toBe(2 + 6);
    requestsAt(100, 300);
    // Never over budget: 200 and the last 100, for captures and for rows alike.
    expect(await run(Number.POSITIVE_INFINITY)).toBe(1 + 1);
  });

  it('stops between batches when asked to', async () => {
    requestsAt(100, 30);
    let batches = 0;
    const result = await runRetention(
      db,
      { retentionDays: 90, captureRetentionDays: 90 },
      {
        nowMs: NOW,
        batchSize: 10,
        pause: () => {
          batches++;
          return Promise.resolve();
        },
        stopped: () => batches >= 1,
      },
    );
    expect(result.captureChunks).toBe(10);
    expect(result.requests).toBe(0);
  });

  it('runs at start, logs a locked database once and tries again at the next run', async () => {
    requestsAt(100, 3);
    const other = new BetterSqlite3(db.name);
    other.exec('BEGIN EXCLUSIVE');
    const log: string[] = [];
    const job = new RetentionJob(
      db,
      () => ({ retentionDays: 1, captureRetentionDays: 1 }),
      (l) => log.push(l),
      60_000,
    );
    job.start();
    await vi.waitFor(() => expect(log).toHaveLength(1));
    expect(log[0]).toMatch(/^retention skipped \(another program holds the database locked: SQLITE_BUSY/);
    other.exec('ROLLBACK');
    other.close();
    expect(await job.runNow()).toMatchObject({ requests: 3 });
    await job.stop();
    expect(await job.runNow()).toBeNull();
  });
});
