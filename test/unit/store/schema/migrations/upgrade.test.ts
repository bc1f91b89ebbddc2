import BetterSqlite3 from 'better-sqlite3';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { closeDatabase, openDatabase } from '../../../../../src/main/store/schema/db';
import { MIGRATIONS, SCHEMA_VERSION, migrate } from '../../../../../src/main/store/schema/migrations/index';
import { createAttemptsRepo } from '../../../../../src/main/store/write/attempts-repo';
import { createRequestsRepo } from '../../../../../src/main/store/write/requests-repo';
import { createUsageQueries } from '../../../../../src/main/store/read/usage-queries';
import { useTempDir } from '../../temp-dir';

const tempDir = useTempDir();

/** The schema as SQLite stores it, to compare an upgraded file with a fresh one. */
function schema(db: BetterSqlite3.Database): string[] {
  return db
    .prepare<[], { sql: string }>(
      `SELECT type || ' ' || name || ': ' || coalesce(sql, '') AS sql FROM sqlite_schema ORDER BY type, name`,
    )
    .all()
    .map((r) => r.sql.replace(/\s+/g, ' '));
}

/** A file as a build that knew only the first `version` migrations left it. */
function fileAtVersion(version: number): string {
  const file = join(tempDir(), `v${version}.db`);
  const db = new BetterSqlite3(file);
  db.pragma('journal_mode = WAL');
  migrate(db, MIGRATIONS.slice(0, version));
  expect(db.pragma('user_version', { simple: true })).toBe(version);
  db.close();
  return file;
}

const HOUR = 3_600_000;
const T0 = Date.UTC(2025, 4, 1, 10); // on the hour

// Rows written with schema 1's own columns: the statements a v1 build ran.
function writeV1Rows(file: string): void {
  const db = new BetterSqlite3(file);
  const insert = db.prepare(
    `INSERT INTO requests (request_id, started_at, client, format, model, upstream_model, provider, stream, status,
       http_status, ttfb_ms, input_tokens, cache_read_tokens, output_tokens, usage_provenance)
     VALUES (?, ?, ?, 'anthropic', 'claude-x', 'claude-up', 'p1', 1, ?, 200, ?, ?, ?, ?, 'reported')`,
  );
  insert.run('a'.repeat(32), T0 + 1000, 'claude-code', 'completed', 120, 10, 5, 7);
  insert.run('b'.repeat(32), T0 + 2000, 'claude-code', 'completed', 900, 20, 0, 3);
  insert.run('c'.repeat(32), T0 + HOUR + 5, 'curl', 'failed', null, null, null, null);
  insert.run('d'.repeat(32), T0 + HOUR + 6, 'curl', 'streaming', null, null, null, null);
  db.prepare(
    `INSERT INTO attempts (request_id, attempt_no, provider, started_at, phase, outcome) VALUES (?, 1, 'p1', ?, 'relay', 'committed')`,
  ).run('a'.repeat(32), T0 + 1000);
  db.close();
}

describe('upgrading an existing database', () => {
  for (let from = 0; from < SCHEMA_VERSION; from++) {
    it(`migrates schema ${from} → ${SCHEMA_VERSION} to exactly the schema a fresh file gets`, () => {
      const upgraded = openDatabase(fileAtVersion(from));
      const fresh = openDatabase(join(tempDir(), 'fresh.db'));
      expect(upgraded.pragma('user_version', { simple: true })).toBe(SCHEMA_VERSION);
      expect(schema(upgraded)).toEqual(schema(fresh));
      expect(upgraded.pragma('integrity_check', { simple: true })).toBe('ok');
      closeDatabase(upgraded);
      closeDatabase(fresh);
    });
  }

  it('keeps schema 1 rows and attempts, adds them to the hourly totals, and leaves their cost unknown', () => {
    const file = fileAtVersion(1);
    writeV1Rows(file);
    const db = openDatabase(file);
    const q = createUsageQueries(db);
    expect(q.listRequests().map((r) => [r.requestId[0], r.status, r.costUsd])).toEqual([
      ['d', 'streaming', null],
      ['c', 'failed', null],
      ['b', 'completed', null],
      ['a', 'completed', null],
    ]);
    expect(q.getRequest('a'.repeat(32))?.attempts).toHaveLength(1);
    const byHour = q.summarize({
      bucket: 'hour',
      groupBy: 'none',
      timeZone: 'utc',
      sinceMs: T0,
      untilMs: T0 + 2 * HOUR,
    });
    expect(
      byHour.map((r) => [r.bucketStartMs, r.requests, r.completed, r.failed, r.inputTokens, r.outputTokens]),
    ).toEqual([
      [T0, 2, 2, 0, 30, 10],
      [T0 + HOUR, 1, 0, 1, 0, 0], // the streaming row is not final yet
    ]);
    expect(byHour[0]!.unpricedRequests).toBe(2);
    expect(byHour[0]!.ttfbP50Ms).toBeGreaterThanOrEqual(100);
    // The open row counts once the next start marks it interrupted.
    expect(createRequestsRepo(db).markInterrupted()).toBe(1);
    const after = q.summarize({ bucket: 'all', groupBy: 'client', sinceMs: T0, untilMs: T0 + 2 * HOUR });
    expect(after.map((r) => [r.key, r.requests, r.interrupted, r.errors])).toEqual([
      ['claude-code', 2, 0, 0],
      ['curl', 2, 1, 2],
    ]);
    closeDatabase(db);
  });

  it('keeps schema 2 captures, ids and running total through the rebuild of schema 3, and takes header chunks', () => {
    const file = fileAtVersion(2);
    writeV1Rows(file);
    const v2 = new BetterSqlite3(file);
    const add = v2.prepare(
      `INSERT INTO captures (request_id, kind, captured_at, frames, dropped, bytes, payload) VALUES (?, ?, ?, ?, ?, ?, ?)`,
    );
    add.run('a'.repeat(32), 'frames', T0 + 1500, 2, 0, 5, Buffer.from([1, 2, 3, 4, 5]));
    add.run('a'.repeat(32), 'request-body', T0 + 1500, 0, 7, 3, Buffer.from([6, 7, 8]));
    add.run('b'.repeat(32), 'frames', T0 + 2500, 1, 1, 2, Buffer.from([9, 9]));
    expect(() => add.run('b'.repeat(32), 'request-headers', T0, 0, 0, 1, Buffer.from([0]))).toThrow(/CHECK/);
    const before = v2.prepare(`SELECT * FROM captures ORDER BY id`).all();
    v2.close();

    const db = openDatabase(file);
    // Rows from before keep their DEFLATE payloads, marked codec 0.
    expect(db.prepare(`SELECT * FROM captures ORDER BY id`).all()).toEqual(
      (before as Record<string, unknown>[]).map((r) => ({ ...r, codec: 0 })),
    );
    const total = db.prepare<[], { bytes: number }>(`SELECT bytes FROM capture_totals WHERE id = 1`);
    expect(total.get()!.bytes).toBe(10);
    // The triggers were rebuilt with the table, and the new kind is accepted.
    db.prepare(
      `INSERT INTO captures (request_id, kind, captured_at, frames, dropped, bytes, payload) VALUES (?, 'request-headers', ?, 0, 0, 4, ?)`,
    ).run('c'.repeat(32), T0, Buffer.from([1, 2, 3, 4]));
    expect(total.get()!.bytes).toBe(14);
    db.prepare(`DELETE FROM requests WHERE request_id = ?`).run('a'.repeat(32));
    expect(total.get()!.bytes).toBe(6);
    expect(db.pragma('foreign_key_check')).toEqual([]);
    closeDatabase(db);
  });

  it('keeps schema 3 attempts through schema 4, read as relayed as is, and stores a translated one', () => {
    const file = fileAtVersion(3);
    writeV1Rows(file);
    const db = openDatabase(file);
    const attempts = createAttemptsRepo(db);
    const a = 'a'.repeat(32);
    expect(attempts.forRequest(a)).toEqual([
      expect.objectContaining({ attemptNo: 1, provider: 'p1', outcome: 'committed', translatedTo: null }),
    ]);
    attempts.insert({
      requestId: a,
      attemptNo: 2,
      provider: 'chat-only',
      startedAtMs: T0 + 1100,
      phase: 'relay',
      outcome: 'committed',
      reason: null,
      httpStatus: 200,
      durationMs: 80,
      bodyHead: null,
      translatedTo: 'openai-chat',
    });
    expect(attempts.forRequest(a).map((r) => [r.attemptNo, r.translatedTo])).toEqual([
      [1, null],
      [2, 'openai-chat'],
    ]);
    // A name this build does not know (a newer one wrote it) reads as not translated rather than as a lie.
    db.prepare(`UPDATE attempts SET translated_to = 'smoke-signals' WHERE attempt_no = 2`).run();
    expect(attempts.forRequest(a)[1]?.translatedTo).toBeNull();
    closeDatabase(db);
  });

  it('keeps schema 5 requests through schema 6, read as not translated, and stores a translated finish', () => {
    const file = fileAtVersion(5);
    writeV1Rows(file);
    const db = openDatabase(file);
    expect(db.pragma('user_version', { simple: true })).toBe(SCHEMA_VERSION);
    const q = createUsageQueries(db);
    expect(q.listRequests().map((r) => [r.requestId[0], r.status, r.translatedTo])).toEqual([
      ['d', 'streaming', null],
      ['c', 'failed', null],
      ['b', 'completed', null],
      ['a', 'completed', null],
    ]);
    const d = 'd'.repeat(32);
    const repo = createRequestsRepo(db);
    expect(
      repo.applyFinish({
        requestId: d,
        status: 'completed',
        upstreamModel: 'gpt-x',
        provider: 'chat-only',
        httpStatus: 200,
        ttfbMs: 50,
        upstreamTtfbMs: 40,
        durationMs: 90,
        inputTokens: 1,
        cacheReadTokens: null,
        cacheWriteTokens: null,
        cacheWrite5mTokens: null,
        cacheWrite1hTokens: null,
        outputTokens: 2,
        reasoningTokens: null,
        usageProvenance: 'reported',
        rawUsage: null,
        error: null,
        translatedTo: 'openai-chat',
      }),
    ).toBe(true);
    expect(q.getRequest(d)?.request.translatedTo).toBe('openai-chat');
    closeDatabase(db);
  });

  it('refuses a file from a newer Sluice with a message that says what to do, and leaves it untouched', () => {
    const file = join(tempDir(), 'newer.db');
    const raw = new BetterSqlite3(file);
    raw.exec('CREATE TABLE from_the_future (x)');
    raw.pragma(`user_version = ${SCHEMA_VERSION + 3}`);
    raw.close();
    expect(() => openDatabase(file)).toThrow(
      new RegExp(
        `written by a newer Sluice \\(schema v${SCHEMA_VERSION + 3}, this build knows v${SCHEMA_VERSION}\\); run that newer Sluice, or move .* aside`,
      ),
    );
    const check = new BetterSqlite3(file, { readonly: true });
    expect(check.pragma('user_version', { simple: true })).toBe(SCHEMA_VERSION + 3);
    expect(schema(check)).toEqual(['table from_the_future: CREATE TABLE from_the_future (x)']);
    check.close();
  });
});
