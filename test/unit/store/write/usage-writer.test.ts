import BetterSqlite3 from 'better-sqlite3';
import { join } from 'node:path';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { closeDatabase, openDatabase, type Database } from '../../../../src/main/store/schema/db';
import { createRequestsRepo } from '../../../../src/main/store/write/requests-repo';
import { UsageWriter } from '../../../../src/main/store/write/usage-writer';
import { aFinish, aStart } from '../fixtures';
import { useTempDir } from '../temp-dir';

const tempDir = useTempDir();
const opened: Database[] = [];

function open(name = 'usage.db', busyTimeoutMs?: number): Database {
  const db = openDatabase(join(tempDir(), name), busyTimeoutMs === undefined ? {} : { busyTimeoutMs });
  opened.push(db);
  return db;
}

afterEach(() => {
  for (const db of opened.splice(0)) if (db.open) db.close();
});

function count(db: Database): number {
  return db.prepare<[], { n: number }>(`SELECT count(*) AS n FROM requests`).get()!.n;
}

describe('UsageWriter', () => {
  it('never writes inside the call; the timer writes soon after', async () => {
    const db = open();
    const writer = new UsageWriter(db, { flushDelayMs: 5 });
    const start = aStart();
    writer.requestStarted(start);
    writer.requestFinished(aFinish(start.requestId));
    expect(count(db)).toBe(0);
    expect(writer.pending).toBe(2);
    await vi.waitFor(() => expect(count(db)).toBe(1));
    expect(createRequestsRepo(db).listRequests()[0]?.status).toBe('completed');
    writer.close();
  });

  it('flush() writes a start and its finish queued in the same batch, in order', () => {
    const db = open();
    const writer = new UsageWriter(db);
    const start = aStart();
    writer.requestStarted(start);
    writer.requestStreaming(start.requestId);
    writer.requestFinished(aFinish(start.requestId, { outputTokens: 7 }));
    expect(count(db)).toBe(0);
    writer.flush();
    expect(writer.pending).toBe(0);
    expect(createRequestsRepo(db).listRequests()).toMatchObject([{ status: 'completed', outputTokens: 7 }]);
    writer.close();
  });

  it('copies what it is given, so a caller reusing its objects does not rewrite history', () => {
    const db = open();
    const writer = new UsageWriter(db);
    const start = aStart();
    const finish = aFinish(start.requestId, { outputTokens: 1 });
    writer.requestStarted(start);
    writer.requestFinished(finish);
    finish.outputTokens = 999;
    writer.flush();
    expect(createRequestsRepo(db).listRequests()[0]?.outputTokens).toBe(1);
    writer.close();
  });

  it('close() loses nothing with 1 000 requests queued', () => {
    const db = open();
    const writer = new UsageWriter(db, { maxBatch: 64, flushDelayMs: 60_000 });
    for (let i = 0; i < 1000; i++) {
      const s = aStart({ startedAtMs: i });
      writer.requestStarted(s);
      writer.requestFinished(aFinish(s.requestId));
    }
    expect(count(db)).toBe(0);
    writer.close();
    const rows = createRequestsRepo(db).listRequests({ limit: 5000 });
    expect(rows).toHaveLength(1000);
    expect(rows.every((r) => r.status === 'completed')).toBe(true);
  });

  it('writes a burst in short transactions on its timer, so the relay runs in between', async () => {
    const db = open();
    const writer = new UsageWriter(db, { flushDelayMs: 1, tickBudgetMs: 0 });
    const starts = Array.from({ length: 100 }, (_, i) => aStart({ startedAtMs: i }));
    for (const s of starts) {
      writer.requestStarted(s);
      writer.requestFinished(aFinish(s.requestId));
    }
    let turns = 0;
    const spin = setInterval(() => turns++, 0); // counts event-loop turns between the writer's ticks
    await vi.waitFor(() => expect(writer.pending).toBe(0));
    clearInterval(spin);
    // A spent budget still writes a few records (the clock is read every 8), never the whole burst.
    expect(writer.writeStats.transactions).toBeGreaterThanOrEqual(200 / 8);
    expect(turns).toBeGreaterThan(3);
    expect(count(db)).toBe(100);
    writer.close();
  });

  it('says once when writes work again after an outage, and whether anything was lost', () => {
    const db = open('usage.db', 5);
    const other = open('usage.db');
    const errors: string[] = [];
    const writer = new UsageWriter(db, { maxQueued: 2, onError: (m) => errors.push(m) });
    other.exec('BEGIN EXCLUSIVE');
    writer.requestStarted(aStart());
    writer.flush();
    writer.requestStarted(aStart());
    writer.requestStarted(aStart()); // the queue holds two: the first is dropped
    writer.flush();
    other.exec('COMMIT');
    writer.flush();
    expect(errors).toEqual([
      expect.stringMatching(/SQLITE_BUSY/),
      'usage queue is full (2 records); dropping the oldest',
      'usage writes work again after 2 failed attempt(s); 1 records were dropped while the queue was full',
    ]);
    writer.close();
  });

  it('bounds the queue by dropping the oldest, counting and reporting once', () => {
    const db = open();
    const errors: string[] = [];
    const writer = new UsageWriter(db, {
      maxQueued: 10,
      flushDelayMs: 60_000,
      onError: (m) => errors.push(m),
    });
    const starts = Array.from({ length: 15 }, (_, i) => aStart({ startedAtMs: i }));
    for (const s of starts) writer.requestStarted(s);
    expect(writer.pending).toBe(10);
    expect(writer.dropped).toBe(5);
    expect(errors).toHaveLength(1);
    expect(errors[0]).toMatch(/queue is full/);
    writer.close();
    const ids = createRequestsRepo(db)
      .listRequests()
      .map((r) => r.requestId);
    expect(ids).toEqual(
      starts
        .slice(5)
        .map((s) => s.requestId)
        .reverse(),
    );
  });

  it('keeps memory bounded while drops pile up during a long outage', () => {
    const db = open();
    const writer = new UsageWriter(db, { maxQueued: 10, flushDelayMs: 60_000, onError: () => {} });
    for (let i = 0; i < 20_000; i++) writer.requestStarted(aStart());
    expect(writer.pending).toBe(10);
    expect(writer.dropped).toBe(19_990);
    // The backing array, not just the visible count, must stay near the bound.
    expect((Reflect.get(Reflect.get(writer, 'queue') as object, 'items') as unknown[]).length).toBeLessThan(
      10_000,
    );
    writer.close();
  });

  it('survives a locked database: reports once, throws nothing, writes once the lock is gone', async () => {
    const db = open('usage.db', 20);
    const other = open('usage.db');
    const errors: string[] = [];
    const writer = new UsageWriter(db, { flushDelayMs: 1, retryDelayMs: 10, onError: (m) => errors.push(m) });
    other.exec('BEGIN EXCLUSIVE');
    const start = aStart();
    expect(() => writer.requestStarted(start)).not.toThrow();
    expect(() => writer.flush()).not.toThrow();
    expect(() => writer.flush()).not.toThrow();
    expect(writer.pending).toBe(1);
    expect(errors).toHaveLength(1);
    expect(errors[0]).toMatch(/SQLITE_BUSY/);
    expect(() => writer.requestFinished(aFinish(start.requestId))).not.toThrow();
    other.exec('COMMIT');
    // The scheduled retry, not an explicit flush, brings the rows in.
    await vi.waitFor(() => expect(writer.pending).toBe(0));
    expect(createRequestsRepo(other).listRequests()).toMatchObject([
      { requestId: start.requestId, status: 'completed' },
    ]);
    writer.close();
  });

  it('survives a full disk (SQLITE_FULL): the caller keeps going and rows land once there is room', () => {
    const db = open();
    const errors: string[] = [];
    const writer = new UsageWriter(db, { flushDelayMs: 60_000, onError: (m) => errors.push(m) });
    // The file may not grow past its current size: the honest in-process twin of a full disk.
    db.pragma('max_page_count = 1');
    const big = 'x'.repeat(2000);
    const starts = Array.from({ length: 50 }, (_, i) => aStart({ startedAtMs: i, userAgent: big }));
    for (const s of starts) expect(() => writer.requestStarted(s)).not.toThrow();
    expect(() => writer.flush()).not.toThrow();
    expect(errors).toHaveLength(1);
    expect(errors[0]).toMatch(/SQLITE_FULL/);
    expect(writer.pending).toBe(50);
    expect(count(db)).toBe(0); // the batch is one transaction: nothing half-written
    for (const s of starts) expect(() => writer.requestFinished(aFinish(s.requestId))).not.toThrow();
    expect(() => writer.flush()).not.toThrow();
    expect(errors).toHaveLength(1);
    db.pragma('max_page_count = 1073741823');
    writer.flush();
    expect(writer.pending).toBe(0);
    const rows = createRequestsRepo(db).listRequests();
    expect(rows).toHaveLength(50);
    expect(rows.every((r) => r.status === 'completed')).toBe(true);
    writer.close();
  });

  it('survives a read-only database without throwing', () => {
    const file = join(tempDir(), 'usage.db');
    closeDatabase(openDatabase(file));
    const ro = new BetterSqlite3(file, { readonly: true });
    opened.push(ro);
    const errors: string[] = [];
    const writer = new UsageWriter(ro, { flushDelayMs: 60_000, onError: (m) => errors.push(m) });
    writer.requestStarted(aStart());
    expect(() => writer.close()).not.toThrow();
    expect(errors[0]).toMatch(/SQLITE_READONLY/);
    expect(errors[1]).toMatch(/closed with 1 records/);
  });

  it('drops only a record the schema rejects and writes the rest of its batch', () => {
    const db = open();
    const errors: string[] = [];
    const writer = new UsageWriter(db, { onError: (m) => errors.push(m) });
    const good1 = aStart();
    const good2 = aStart();
    writer.requestStarted(good1);
    writer.requestStarted(aStart({ requestId: 'not-hex' }));
    writer.requestStarted(good2);
    writer.flush();
    expect(writer.pending).toBe(0);
    expect(count(db)).toBe(2);
    expect(errors).toHaveLength(1);
    expect(errors[0]).toMatch(/rejected and dropped.*CHECK/);
    writer.close();
  });

  it('ignores records after close(), reporting it once', () => {
    const db = open();
    const errors: string[] = [];
    const writer = new UsageWriter(db, { onError: (m) => errors.push(m) });
    writer.close();
    writer.requestStarted(aStart());
    writer.requestStarted(aStart());
    expect(errors).toEqual(['usage writer is closed; dropping usage records']);
    expect(count(db)).toBe(0);
  });

  it('a reporter that throws does not reach the caller', () => {
    const db = open();
    const writer = new UsageWriter(db, {
      maxQueued: 1,
      onError: () => {
        throw new Error('reporter broke');
      },
    });
    writer.requestStarted(aStart());
    expect(() => writer.requestStarted(aStart())).not.toThrow();
    writer.close();
  });

  it('reports through console.error by default', () => {
    const db = open();
    const spy = vi.spyOn(console, 'error').mockImplementation(() => {});
    const writer = new UsageWriter(db, { maxQueued: 1 });
    writer.requestStarted(aStart());
    writer.requestStarted(aStart());
    expect(spy).toHaveBeenCalledTimes(1);
    expect(String(spy.mock.calls[0]?.[0])).toMatch(/queue is full/);
    spy.mockRestore();
    writer.close();
  });
});
