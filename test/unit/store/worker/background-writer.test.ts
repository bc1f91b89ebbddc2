import BetterSqlite3 from 'better-sqlite3';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { DEFAULT_SETTINGS } from '../../../../src/shared/settings';
import { framesOfSegment } from '../../../../src/main/proxy/capture-frames';
import { createUsageQueries, type UsageQueries } from '../../../../src/main/store/read/usage-queries';
import { closeDatabase, openDatabase, type Database } from '../../../../src/main/store/schema/db';
import type { StoreSettings } from '../../../../src/main/store/worker/protocol';
import {
  BackgroundWriter,
  type BackgroundWriterOptions,
} from '../../../../src/main/store/worker/background-writer';
import { aFinish, aStart } from '../fixtures';
import { useTempDir } from '../temp-dir';

/*
 * The store worker through its main-thread face: real worker threads, real SQLite files, read back
 * through the main thread's own connection as the UI reads them.
 */

const tempDir = useTempDir();
let file: string;
let db: Database;
let q: UsageQueries;
let settings: StoreSettings;
let log: string[];
const writers: BackgroundWriter[] = [];

beforeEach(() => {
  file = join(tempDir(), 'usage.db');
  db = openDatabase(file);
  q = createUsageQueries(db, framesOfSegment);
  settings = { ...DEFAULT_SETTINGS, captureRequestBodies: true };
  log = [];
});
afterEach(async () => {
  await Promise.all(writers.splice(0).map((w) => w.close()));
  closeDatabase(db);
});

function writer(
  options: BackgroundWriterOptions = {},
  secrets: () => readonly string[] = () => [],
): BackgroundWriter {
  const w = new BackgroundWriter(file, {
    capture: () => settings,
    secrets,
    onError: (m) => log.push(m),
    ...options,
  });
  writers.push(w);
  return w;
}

const sse = (data: string): Buffer => Buffer.from(`data: ${data}\n\n`);

/** One whole request: start, `frames` SSE frames, finish; returns its id. */
function request(w: BackgroundWriter, frames: readonly string[], body?: string): string {
  const s = aStart();
  w.requestStarted(s);
  if (body !== undefined) w.requestBody(s.requestId, Buffer.from(body));
  frames.forEach((f, i) => w.responseBytes(s.requestId, 1, 'sse', i * 10, sse(f), 1));
  w.requestFinished(aFinish(s.requestId));
  return s.requestId;
}

/** The longest gap between 5 ms ticks of this thread's event loop while `run` is awaited. */
async function longestStall(run: () => Promise<void>): Promise<number> {
  let last = performance.now();
  let worst = 0;
  const timer = setInterval(() => {
    const now = performance.now();
    worst = Math.max(worst, now - last);
    last = now;
  }, 5);
  try {
    await run();
  } finally {
    clearInterval(timer);
  }
  return worst;
}

describe('the store worker', () => {
  it('writes records and captures on its own thread; flush() makes them readable at once', () => {
    const w = writer();
    const ids = Array.from({ length: 50 }, (_, i) => request(w, [`{"i":${i}}`, '{"done":true}']));
    w.flush();
    expect(q.listRequests({ limit: 100 })).toHaveLength(50);
    for (const id of ids.slice(0, 3)) {
      expect(q.getRequest(id)!.capture.frames.map((f) => f.data)).toEqual([
        expect.stringMatching(/"i"/),
        '{"done":true}',
      ]);
    }
    expect(w.pending).toBe(0);
  });

  it('screens captured bytes with the keys in force, sent again when they change', () => {
    let keys = ['first-provider-key-0001'];
    const w = writer({}, () => keys);
    const a = request(w, ['{"echo":"first-provider-key-0001"}'], '{"key":"first-provider-key-0001"}');
    w.flush();
    keys = ['second-provider-key-0002'];
    const b = request(w, ['{"echo":"second-provider-key-0002"}']);
    w.flush();
    expect(q.getRequest(a)!.capture.frames[0]!.data).toBe('{"echo":"[redacted]"}');
    expect(q.getRequest(a)!.capture.requestBody).toBe('{"key":"[redacted]"}');
    expect(q.getRequest(b)!.capture.frames[0]!.data).toBe('{"echo":"[redacted]"}');
    expect(log.join('\n')).not.toMatch(/provider-key/);
  });

  it('keeps this thread free while its connection waits on a locked database', async () => {
    const w = writer({ busyTimeoutMs: 1_500, retryDelayMs: 50 });
    w.flush(); // the worker is up
    const other = new BetterSqlite3(file);
    other.exec('BEGIN EXCLUSIVE');
    let stall: number;
    try {
      stall = await longestStall(async () => {
        for (let i = 0; i < 20; i++) {
          request(w, ['{"a":1}', '{"b":2}']);
          await new Promise((r) => setTimeout(r, 25));
        }
      });
    } finally {
      other.exec('ROLLBACK');
      other.close();
    }
    // The same writes on this thread would have blocked it for the whole 1.5 s busy wait.
    expect(stall).toBeLessThan(200);
    await vi.waitFor(
      () => {
        w.flush();
        expect(q.listRequests({ limit: 100 })).toHaveLength(20);
      },
      { timeout: 10_000 },
    );
  });

  it('bounds how long flush() blocks, and does not block again while that flush is unfinished', async () => {
    const w = writer({ busyTimeoutMs: 3_000, flushTimeoutMs: 200 });
    w.flush();
    const other = new BetterSqlite3(file);
    other.exec('BEGIN EXCLUSIVE');
    try {
      request(w, ['{"a":1}']);
      let t = performance.now();
      w.flush();
      const first = performance.now() - t;
      request(w, ['{"b":2}']);
      t = performance.now();
      w.flush();
      const second = performance.now() - t;
      expect(first).toBeGreaterThanOrEqual(190);
      expect(first).toBeLessThan(1_000);
      expect(second).toBeLessThan(50);
    } finally {
      other.exec('ROLLBACK');
      other.close();
    }
    await vi.waitFor(
      () => {
        w.flush();
        expect(q.listRequests({ limit: 10 })).toHaveLength(2);
      },
      { timeout: 10_000 },
    );
  });

  it('runs retention on its own connection: old rows go, recent ones stay', async () => {
    const w = writer();
    const old = aStart({ startedAtMs: Date.now() - 100 * 86_400_000 });
    w.requestStarted(old);
    w.requestFinished(aFinish(old.requestId));
    const recent = aStart({ startedAtMs: Date.now() });
    w.requestStarted(recent);
    w.requestFinished(aFinish(recent.requestId));
    w.flush();
    expect(q.listRequests({ limit: 10 })).toHaveLength(2);
    settings = { ...settings, retentionDays: 30 };
    w.startRetention();
    await vi.waitFor(
      () => expect(q.listRequests({ limit: 10 }).map((r) => r.requestId)).toEqual([recent.requestId]),
      {
        timeout: 5_000,
      },
    );
  });

  it('drains on close: everything accepted is in the database once close() resolves', async () => {
    const w = writer({ flushDelayMs: 60_000 });
    const ids = Array.from({ length: 300 }, () => request(w, ['{"x":1}']));
    await w.close();
    expect(q.listRequests({ limit: 1000 })).toHaveLength(300);
    expect(q.getRequest(ids[299]!)!.capture.frames).toHaveLength(1);
    w.requestStarted(aStart());
    expect(log).toEqual(['usage writer is closed; dropping usage records']);
  });

  it('bounds what waits for a lagging worker, drops the newest and says so, then catches up', async () => {
    const w = writer({ busyTimeoutMs: 1_000, retryDelayMs: 20, maxCaptureMemoryBytes: 32 * 1024 });
    w.flush();
    const other = new BetterSqlite3(file);
    other.exec('BEGIN EXCLUSIVE');
    let id: string;
    try {
      // The worker blocks in its first write; what follows piles up until the bound.
      request(w, ['{"first":1}']);
      await new Promise((r) => setTimeout(r, 60));
      const s = aStart();
      id = s.requestId;
      w.requestStarted(s);
      for (let i = 0; i < 200; i++) {
        w.responseBytes(id, 1, 'sse', i, sse(`{"n":${i},"pad":"${'x'.repeat(500)}"}`), 1);
        await new Promise((r) => setImmediate(r));
      }
      w.requestFinished(aFinish(id));
    } finally {
      other.exec('ROLLBACK');
      other.close();
    }
    expect(w.dropped.bytes).toBeGreaterThan(0);
    await vi.waitFor(
      () => {
        w.flush();
        expect(log.some((l) => l.startsWith('the usage store caught up;'))).toBe(true);
      },
      { timeout: 10_000 },
    );
    expect(log.some((l) => l.startsWith('the usage store is behind'))).toBe(true);
    const frames = q.getRequest(id)!.capture.frames;
    // What was kept is the stream's start, unbroken: no frame after the gap.
    expect(frames.length).toBeGreaterThan(0);
    expect(frames.length).toBeLessThan(200);
    frames.forEach((f, i) => expect(JSON.parse(f.data)).toMatchObject({ n: i }));
  });

  it('reports a worker that dies, starts another, and records again', async () => {
    const w = writer({ retryDelayMs: 10 });
    request(w, ['{"before":1}']);
    w.flush();
    // An error thrown inside the worker ends it, as any uncaught one would.
    expect(w.pragma('this is not a pragma')).toBe(true);
    await vi.waitFor(() => expect(log.some((l) => l.startsWith('usage store worker stopped ('))).toBe(true));
    await vi.waitFor(() => expect(w.running).toBe(true), { timeout: 5_000 });
    request(w, ['{"after":1}']);
    w.flush();
    expect(q.listRequests({ limit: 10 })).toHaveLength(2);
  });
});
