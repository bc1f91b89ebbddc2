import type BetterSqlite3 from 'better-sqlite3';
import type { RequestFilter, UsageQuery, UsageRow } from '../../../shared/usage';
import type { RequestPage, RequestPageQuery } from '../../../shared/usage-query';
import { toUsageRow, type RequestRecord } from './request-row';

/** The only code that reads request rows for lists and exports. */
export interface RequestsQuery {
  /** Matching requests, newest first, at most `limit` (default 1000). */
  list(query: UsageQuery): UsageRow[];
  /** One page (default 50, at most 1000 rows), newest first; keyset-paged, so page 1000 costs what page 1 does. */
  page(query: RequestPageQuery): RequestPage;
  /** Every matching request, newest first, one at a time (for exports of any size). */
  iterate(filter: RequestFilter): IterableIterator<UsageRow>;
  /** One request by id, with the id of the price it was charged at. */
  get(requestId: string): { row: UsageRow; pricingId: number | null } | undefined;
}

export const DEFAULT_PAGE_SIZE = 50;
export const MAX_PAGE_SIZE = 1000;
const DEFAULT_LIST_LIMIT = 1000;

type Row = RequestRecord & { rid: number };
type Params = Record<string, string | number>;

interface Cursor {
  startedAt: number;
  rowid: number;
}

function encodeCursor(r: Row): string {
  return `${r.started_at}.${r.rid}`;
}

function decodeCursor(text: string): Cursor {
  const m = /^(-?\d{1,16})\.(\d{1,19})$/.exec(text);
  if (m === null) throw new Error(`invalid request-list cursor "${text.slice(0, 40)}"`);
  return { startedAt: Number(m[1]), rowid: Number(m[2]) };
}

/**
 * The WHERE terms of a filter. Only fixed fragments and bound parameters: no value ever becomes SQL.
 * Each filter has an index that ends in started_at, so one of them serves the page in order.
 */
function terms(f: RequestFilter, cursor: Cursor | null, params: Params): string[] {
  const out: string[] = [];
  if (f.sinceMs !== undefined) {
    out.push('started_at >= @since');
    params.since = f.sinceMs;
  }
  if (f.untilMs !== undefined) {
    out.push('started_at < @until');
    params.until = f.untilMs;
  }
  if (f.client !== undefined) {
    out.push('client = @client');
    params.client = f.client;
  }
  if (f.provider !== undefined) {
    out.push('provider = @provider');
    params.provider = f.provider;
  }
  if (f.model !== undefined) {
    out.push('coalesce(upstream_model, model) = @model');
    params.model = f.model;
  }
  if (f.status !== undefined) {
    const list = typeof f.status === 'string' ? [f.status] : [...f.status];
    if (list.length === 0) out.push('0');
    else {
      list.forEach((s, i) => (params[`status${i}`] = s));
      out.push(`status IN (${list.map((_, i) => `@status${i}`).join(', ')})`);
    }
  }
  if (cursor !== null) {
    out.push('(started_at, rowid) < (@cursorAt, @cursorRow)');
    params.cursorAt = cursor.startedAt;
    params.cursorRow = cursor.rowid;
  }
  return out;
}

function clampLimit(wanted: number | undefined, fallback: number, max: number): number {
  if (wanted === undefined || !Number.isFinite(wanted)) return fallback;
  return Math.min(max, Math.max(0, Math.floor(wanted)));
}

export function createRequestsQuery(db: BetterSqlite3.Database): RequestsQuery {
  // One prepared statement per filter shape; the shapes are few (five filters, six statuses).
  const cache = new Map<string, BetterSqlite3.Statement<Params, Row>>();
  const statement = (where: string[], limited: boolean): BetterSqlite3.Statement<Params, Row> => {
    const sql =
      `SELECT rowid AS rid, * FROM requests${where.length > 0 ? ` WHERE ${where.join(' AND ')}` : ''}` +
      // Newest first with rowid as tie-breaker, so rows started in the same ms keep insertion order.
      ` ORDER BY started_at DESC, rowid DESC${limited ? ' LIMIT @limit' : ''}`;
    let stmt = cache.get(sql);
    if (stmt === undefined) {
      stmt = db.prepare<Params, Row>(sql);
      cache.set(sql, stmt);
    }
    return stmt;
  };
  const byId = db.prepare<[string], Row>(`SELECT rowid AS rid, * FROM requests WHERE request_id = ?`);

  return {
    list(q) {
      const params: Params = { limit: clampLimit(q.limit, DEFAULT_LIST_LIMIT, Number.MAX_SAFE_INTEGER) };
      return statement(terms(q, null, params), true)
        .all(params)
        .map(toUsageRow);
    },
    page(q) {
      const limit = clampLimit(q.limit, DEFAULT_PAGE_SIZE, MAX_PAGE_SIZE);
      const cursor = q.cursor === undefined || q.cursor === null ? null : decodeCursor(q.cursor);
      // One row more than asked tells whether an older page exists without a second query.
      const params: Params = { limit: limit + 1 };
      const rows = statement(terms(q, cursor, params), true).all(params);
      const more = rows.length > limit;
      const shown = more ? rows.slice(0, limit) : rows;
      const last = shown.at(-1);
      return {
        rows: shown.map(toUsageRow),
        nextCursor: more && last !== undefined ? encodeCursor(last) : null,
      };
    },
    *iterate(f) {
      const params: Params = {};
      for (const r of statement(terms(f, null, params), false).iterate(params)) yield toUsageRow(r);
    },
    get(requestId) {
      const r = byId.get(requestId);
      return r === undefined ? undefined : { row: toUsageRow(r), pricingId: r.pricing_id };
    },
  };
}
