import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import type { RequestFilter, UsageRow } from '../../../../src/shared/usage';
import { closeDatabase, openDatabase, type Database } from '../../../../src/main/store/schema/db';
import { createRequestsRepo } from '../../../../src/main/store/write/requests-repo';
import { createUsageQueries, type UsageQueries } from '../../../../src/main/store/read/usage-queries';
import { UsageWriter } from '../../../../src/main/store/write/usage-writer';
import { aFinish, aStart } from '../fixtures';
import { useTempDir } from '../temp-dir';
import { writeSyntheticRequests } from '../usage-data';

const tempDir = useTempDir();
const T0 = Date.UTC(2025, 5, 1);
let db: Database;
let q: UsageQueries;
let all: UsageRow[];

beforeEach(() => {
  db = openDatabase(join(tempDir(), 'usage.db'));
  const w = new UsageWriter(db);
  writeSyntheticRequests(w, { count: 600, fromMs: T0, spanMs: 3_600_000, seed: 3, open: 20 });
  // Same millisecond: the order must still be stable (newest recorded first).
  for (let i = 0; i < 5; i++) w.requestStarted(aStart({ startedAtMs: T0 + 1800_000 }));
  w.close();
  q = createUsageQueries(db);
  all = q.listRequests({ limit: 10_000 });
});
afterEach(() => closeDatabase(db));

function matches(r: UsageRow, f: RequestFilter): boolean {
  const at = Date.parse(r.startedAt);
  const statuses = f.status === undefined ? null : typeof f.status === 'string' ? [f.status] : f.status;
  return (
    (f.sinceMs === undefined || at >= f.sinceMs) &&
    (f.untilMs === undefined || at < f.untilMs) &&
    (f.client === undefined || r.client === f.client) &&
    (f.provider === undefined || r.provider === f.provider) &&
    (f.model === undefined || (r.upstreamModel ?? r.model) === f.model) &&
    (statuses === null || statuses.includes(r.status))
  );
}

function pageThrough(f: RequestFilter, limit: number): string[] {
  const ids: string[] = [];
  let cursor: string | null = null;
  for (let guard = 0; guard < 1000; guard++) {
    const page = q.pageRequests({ ...f, limit, cursor });
    expect(page.rows.length).toBeLessThanOrEqual(limit);
    ids.push(...page.rows.map((r) => r.requestId));
    if (page.nextCursor === null) return ids;
    cursor = page.nextCursor;
  }
  throw new Error('paging never ended');
}

describe('request list', () => {
  it('lists newest first, ties in reverse recording order', () => {
    const times = all.map((r) => Date.parse(r.startedAt));
    expect(times).toEqual([...times].sort((a, b) => b - a));
    expect(all).toHaveLength(605);
  });

  const filters: [string, RequestFilter][] = [
    ['no filter', {}],
    ['time range', { sinceMs: T0 + 600_000, untilMs: T0 + 1_200_000 }],
    ['client', { client: 'codex' }],
    ['provider', { provider: 'backup' }],
    ['billed model', { model: 'gpt-4o-mini' }],
    ['one status', { status: 'failed' }],
    ['several statuses', { status: ['aborted', 'pending'] }],
    [
      'everything at once',
      { client: 'curl', provider: 'openai-main', status: 'completed', sinceMs: T0 + 60_000 },
    ],
  ];
  for (const [name, f] of filters) {
    it(`pages through exactly the matching rows: ${name}`, () => {
      const expected = all.filter((r) => matches(r, f)).map((r) => r.requestId);
      expect(expected.length).toBeGreaterThan(0);
      expect(pageThrough(f, 7)).toEqual(expected);
      expect(q.listRequests({ ...f, limit: 10_000 }).map((r) => r.requestId)).toEqual(expected);
      expect([...q.iterateRequests(f)].map((r) => r.requestId)).toEqual(expected);
    });
  }

  it('matches nothing for an empty status list, and clamps page sizes', () => {
    expect(q.pageRequests({ status: [] }).rows).toEqual([]);
    expect(q.pageRequests({}).rows).toHaveLength(50);
    expect(q.pageRequests({ limit: 5000 }).rows).toHaveLength(605);
    expect(q.pageRequests({ limit: 0 })).toEqual({ rows: [], nextCursor: null });
  });

  it('refuses a cursor it did not make', () => {
    expect(() => q.pageRequests({ cursor: '1; DROP TABLE requests' })).toThrow(/invalid request-list cursor/);
  });

  it('uses an index for each filter, never a scan of the whole table', () => {
    const plan = (sql: string): string =>
      db
        .prepare(`EXPLAIN QUERY PLAN ${sql}`)
        .all()
        .map((r) => (r as { detail: string }).detail)
        .join(' | ');
    const order = 'ORDER BY started_at DESC, rowid DESC LIMIT 50';
    expect(plan(`SELECT * FROM requests ${order}`)).toMatch(/USING INDEX requests_started_at/);
    expect(plan(`SELECT * FROM requests WHERE client = 'x' ${order}`)).toMatch(/USING INDEX requests_client/);
    expect(plan(`SELECT * FROM requests WHERE provider = 'x' ${order}`)).toMatch(
      /USING INDEX requests_provider/,
    );
    expect(plan(`SELECT * FROM requests WHERE coalesce(upstream_model, model) = 'x' ${order}`)).toMatch(
      /USING INDEX requests_model/,
    );
    expect(plan(`SELECT * FROM requests WHERE status IN ('failed') ${order}`)).toMatch(
      /USING INDEX requests_status/,
    );
    for (const p of [
      plan(`SELECT * FROM requests ${order}`),
      plan(`SELECT * FROM requests WHERE client = 'x' ${order}`),
    ])
      expect(p).not.toMatch(/TEMP B-TREE/);
  });
});

describe('one request', () => {
  it('comes with its attempts in order', () => {
    const s = aStart();
    const w = new UsageWriter(db);
    w.requestStarted(s);
    for (const [no, outcome] of [
      [1, 'failed'],
      [2, 'committed'],
    ] as const)
      w.attemptFinished({
        requestId: s.requestId,
        attemptNo: no,
        provider: `p${no}`,
        startedAtMs: T0 + no,
        phase: no === 1 ? 'headers' : 'relay',
        outcome,
        reason: no === 1 ? 'http 503' : null,
        httpStatus: no === 1 ? 503 : 200,
        durationMs: 10,
        bodyHead: null,
        translatedTo: no === 1 ? null : 'openai-chat',
      });
    w.requestFinished(aFinish(s.requestId));
    w.close();
    const d = q.getRequest(s.requestId)!;
    expect(d.request).toMatchObject({ requestId: s.requestId, status: 'completed' });
    expect(d.attempts.map((a) => [a.attemptNo, a.provider, a.reason, a.translatedTo])).toEqual([
      [1, 'p1', 'http 503', null],
      [2, 'p2', null, 'openai-chat'],
    ]);
    expect(q.getRequest('0'.repeat(32))).toBeUndefined();
  });

  it('counts a finish once: a second one for the same request changes nothing', () => {
    const s = aStart();
    const repo = createRequestsRepo(db);
    repo.insertStarted(s);
    expect(db.transaction(() => repo.applyFinish(aFinish(s.requestId, { outputTokens: 1 })))()).toBe(true);
    expect(db.transaction(() => repo.applyFinish(aFinish(s.requestId, { outputTokens: 2 })))()).toBe(false);
    expect(q.getRequest(s.requestId)?.request.outputTokens).toBe(1);
  });
});
