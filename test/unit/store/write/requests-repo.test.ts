import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { closeDatabase, openDatabase, type Database } from '../../../../src/main/store/schema/db';
import { createRequestsRepo, type RequestsRepo } from '../../../../src/main/store/write/requests-repo';
import type { UsageRow } from '../../../../src/shared/usage';
import { aFinish, aStart } from '../fixtures';
import { useTempDir } from '../temp-dir';

const tempDir = useTempDir();
let db: Database;
let repo: RequestsRepo;

beforeEach(() => {
  db = openDatabase(join(tempDir(), 'usage.db'));
  repo = createRequestsRepo(db);
});
afterEach(() => closeDatabase(db));

describe('requests repo', () => {
  it('round-trips a started and finished request with every field', () => {
    const start = aStart();
    const finish = aFinish(start.requestId);
    repo.insertStarted(start);
    expect(repo.applyFinish(finish)).toBe(true);
    const expected: UsageRow = {
      requestId: start.requestId,
      startedAt: '2025-01-02T03:04:05.678Z',
      client: 'claude-code',
      userAgent: 'claude-cli/1.0.0 (external, cli)',
      format: 'anthropic',
      model: 'claude-sonnet-4-5',
      upstreamModel: 'claude-sonnet-4-5-20250929',
      provider: 'anthropic-main',
      stream: true,
      status: 'completed',
      httpStatus: 200,
      ttfbMs: 412.5,
      upstreamTtfbMs: 398,
      durationMs: 2345.25,
      inputTokens: 12,
      cacheReadTokens: 3000,
      cacheWriteTokens: 150,
      cacheWrite5mTokens: 100,
      cacheWrite1hTokens: 50,
      outputTokens: 321,
      reasoningTokens: 64,
      usageProvenance: 'reported',
      rawUsage: '{"input_tokens":12,"output_tokens":321}',
      error: null,
      costUsd: null,
      translatedTo: null,
    };
    expect(repo.listRequests({})).toEqual([expected]);
  });

  it('keeps the format the serving attempt was translated to, and reads an unknown one as none', () => {
    const start = aStart();
    repo.insertStarted(start);
    expect(repo.applyFinish(aFinish(start.requestId, { translatedTo: 'openai-chat' }))).toBe(true);
    expect(repo.listRequests()[0]?.translatedTo).toBe('openai-chat');
    db.prepare(`UPDATE requests SET translated_to = 'smoke-signals' WHERE request_id = ?`).run(
      start.requestId,
    );
    expect(repo.listRequests()[0]?.translatedTo).toBeNull();
  });

  it('shows a started request as pending with empty usage', () => {
    const start = aStart({ stream: false, userAgent: null, model: null });
    repo.insertStarted(start);
    const [row] = repo.listRequests();
    expect(row).toMatchObject({
      requestId: start.requestId,
      stream: false,
      status: 'pending',
      userAgent: null,
      model: null,
      httpStatus: null,
      durationMs: null,
      inputTokens: null,
      outputTokens: null,
      usageProvenance: 'none',
      rawUsage: null,
      error: null,
    });
  });

  it('keeps a failure with its error text and null usage', () => {
    const start = aStart();
    repo.insertStarted(start);
    repo.applyFinish(
      aFinish(start.requestId, {
        status: 'failed',
        httpStatus: 529,
        ttfbMs: null,
        upstreamTtfbMs: null,
        inputTokens: null,
        cacheReadTokens: null,
        cacheWriteTokens: null,
        cacheWrite5mTokens: null,
        cacheWrite1hTokens: null,
        outputTokens: null,
        reasoningTokens: null,
        usageProvenance: 'none',
        rawUsage: null,
        error: 'upstream_status: overloaded',
      }),
    );
    expect(repo.listRequests()[0]).toMatchObject({
      status: 'failed',
      httpStatus: 529,
      error: 'upstream_status: overloaded',
    });
  });

  it('reports a finish for an unknown request instead of inventing a row', () => {
    expect(repo.applyFinish(aFinish('c'.repeat(32)))).toBe(false);
    expect(repo.listRequests()).toEqual([]);
  });

  it('rejects a request id that is not 32 hex characters', () => {
    expect(() => repo.insertStarted(aStart({ requestId: 'not-a-request-id' }))).toThrow(/CHECK/);
  });

  it('marks pending as streaming, never a finished request', () => {
    const a = aStart();
    const b = aStart();
    repo.insertStarted(a);
    repo.insertStarted(b);
    repo.applyFinish(aFinish(b.requestId));
    expect(repo.markStreaming(a.requestId)).toBe(true);
    expect(repo.markStreaming(b.requestId)).toBe(false);
    const status = new Map(repo.listRequests().map((r) => [r.requestId, r.status]));
    expect(status.get(a.requestId)).toBe('streaming');
    expect(status.get(b.requestId)).toBe('completed');
  });

  it('markInterrupted flags only pending and streaming rows and counts them', () => {
    const pending = aStart();
    const streaming = aStart();
    const done = aStart();
    const aborted = aStart();
    for (const s of [pending, streaming, done, aborted]) repo.insertStarted(s);
    repo.markStreaming(streaming.requestId);
    repo.applyFinish(aFinish(done.requestId));
    repo.applyFinish(aFinish(aborted.requestId, { status: 'aborted', httpStatus: 499 }));
    expect(repo.markInterrupted()).toBe(2);
    const status = new Map(repo.listRequests().map((r) => [r.requestId, r.status]));
    expect(status.get(pending.requestId)).toBe('interrupted');
    expect(status.get(streaming.requestId)).toBe('interrupted');
    expect(status.get(done.requestId)).toBe('completed');
    expect(status.get(aborted.requestId)).toBe('aborted');
    expect(repo.markInterrupted()).toBe(0);
  });

  it('lists newest first, filters since (inclusive) and until (exclusive), and limits', () => {
    const ids: string[] = [];
    for (let t = 1000; t <= 5000; t += 1000) {
      const s = aStart({ startedAtMs: t });
      ids.push(s.requestId);
      repo.insertStarted(s);
    }
    const idsAt = (rows: UsageRow[]): string[] => rows.map((r) => r.requestId);
    expect(idsAt(repo.listRequests())).toEqual([...ids].reverse());
    expect(idsAt(repo.listRequests({ sinceMs: 2000, untilMs: 4000 }))).toEqual([ids[2], ids[1]]);
    expect(idsAt(repo.listRequests({ limit: 2 }))).toEqual([ids[4], ids[3]]);
    expect(repo.listRequests({ limit: 0 })).toEqual([]);
    expect(repo.listRequests({ sinceMs: 6000 })).toEqual([]);
  });

  it('keeps insertion order for requests started in the same millisecond', () => {
    const a = aStart({ startedAtMs: 7 });
    const b = aStart({ startedAtMs: 7 });
    repo.insertStarted(a);
    repo.insertStarted(b);
    expect(repo.listRequests().map((r) => r.requestId)).toEqual([b.requestId, a.requestId]);
  });

  it('caps a listing at 1000 rows by default', () => {
    db.transaction(() => {
      for (let i = 0; i < 1005; i++) repo.insertStarted(aStart({ startedAtMs: i }));
    })();
    expect(repo.listRequests()).toHaveLength(1000);
    expect(repo.listRequests({ limit: 2000 })).toHaveLength(1005);
  });
});
