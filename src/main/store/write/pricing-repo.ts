// Writes and reads: prices are synced, added and retired here, and read as the PriceBook that costs each request; here for its main use.
import type BetterSqlite3 from 'better-sqlite3';
import {
  createPriceBook,
  type PriceBook,
  type PriceRule,
  type PriceSource,
  type StoredPriceRule,
} from '../../../shared/pricing';

/** The only code that reads or writes the `pricing` table. Rows are never edited: they are retired and replaced. */
export interface PricingRepo {
  /** The rules in force, shipped and user's. */
  active(): StoredPriceRule[];
  /** Any rule, retired ones included (the inspector shows what a request was charged at). */
  byId(id: number): StoredPriceRule | undefined;
  /** Adds a user's rule, retiring the user rule it replaces (same pattern, provider and tier). */
  putUserRule(rule: PriceRule, nowMs?: number): StoredPriceRule;
  /** Retires a rule; false if unknown or already retired. A retired shipped rule returns at the next sync. */
  retire(id: number, nowMs?: number): boolean;
  /** Makes the active shipped rows equal `rules`, retiring changed or dropped ones. */
  syncBuiltins(rules: readonly PriceRule[], nowMs?: number): { added: number; retired: number };
  /** A book over the active rules, rebuilt only when the table changed (from any connection). */
  book(): PriceBook;
}

interface PricingRow {
  id: number;
  model_pattern: string;
  provider: string | null;
  above_prompt_tokens: number;
  input_per_mtok: number;
  cache_read_per_mtok: number | null;
  cache_write_5m_per_mtok: number | null;
  cache_write_1h_per_mtok: number | null;
  output_per_mtok: number;
  source: string;
  created_at: number;
  retired_at: number | null;
}

function toRule(r: PricingRow): StoredPriceRule {
  return {
    id: r.id,
    modelPattern: r.model_pattern,
    provider: r.provider,
    abovePromptTokens: r.above_prompt_tokens,
    inputPerMTok: r.input_per_mtok,
    cacheReadPerMTok: r.cache_read_per_mtok,
    cacheWrite5mPerMTok: r.cache_write_5m_per_mtok,
    cacheWrite1hPerMTok: r.cache_write_1h_per_mtok,
    outputPerMTok: r.output_per_mtok,
    source: r.source as PriceSource, // the CHECK constraint allows only these
    createdAt: r.created_at,
    retiredAt: r.retired_at,
  };
}

function identity(r: PriceRule): string {
  return `${r.modelPattern}\u0000${r.provider ?? ''}\u0000${r.abovePromptTokens}`;
}

function samePrices(a: PriceRule, b: PriceRule): boolean {
  return (
    a.inputPerMTok === b.inputPerMTok &&
    a.cacheReadPerMTok === b.cacheReadPerMTok &&
    a.cacheWrite5mPerMTok === b.cacheWrite5mPerMTok &&
    a.cacheWrite1hPerMTok === b.cacheWrite1hPerMTok &&
    a.outputPerMTok === b.outputPerMTok
  );
}

export function createPricingRepo(db: BetterSqlite3.Database): PricingRepo {
  const activeRows = db.prepare<[], PricingRow>(
    `SELECT * FROM pricing WHERE retired_at IS NULL ORDER BY source, model_pattern, above_prompt_tokens`,
  );
  const one = db.prepare<[number], PricingRow>(`SELECT * FROM pricing WHERE id = ?`);
  const insert = db.prepare(
    `INSERT INTO pricing (model_pattern, provider, above_prompt_tokens, input_per_mtok, cache_read_per_mtok,
       cache_write_5m_per_mtok, cache_write_1h_per_mtok, output_per_mtok, source, created_at)
     VALUES (@modelPattern, @provider, @abovePromptTokens, @inputPerMTok, @cacheReadPerMTok,
       @cacheWrite5mPerMTok, @cacheWrite1hPerMTok, @outputPerMTok, @source, @createdAt)`,
  );
  const retireOne = db.prepare<[number, number]>(
    `UPDATE pricing SET retired_at = ? WHERE id = ? AND retired_at IS NULL`,
  );
  const fingerprint = db.prepare<[], { n: number; m: number; r: number }>(
    `SELECT count(*) AS n, coalesce(max(id), 0) AS m, total(retired_at) AS r FROM pricing`,
  );

  const add = (rule: PriceRule, source: PriceSource, createdAt: number): number =>
    Number(
      insert.run({
        modelPattern: rule.modelPattern,
        provider: rule.provider,
        abovePromptTokens: rule.abovePromptTokens,
        inputPerMTok: rule.inputPerMTok,
        cacheReadPerMTok: rule.cacheReadPerMTok,
        cacheWrite5mPerMTok: rule.cacheWrite5mPerMTok,
        cacheWrite1hPerMTok: rule.cacheWrite1hPerMTok,
        outputPerMTok: rule.outputPerMTok,
        source,
        createdAt,
      }).lastInsertRowid,
    );
  const active = (): StoredPriceRule[] => activeRows.all().map(toRule);

  const put = db.transaction((rule: PriceRule, nowMs: number): StoredPriceRule => {
    for (const r of active())
      if (r.source === 'user' && identity(r) === identity(rule)) retireOne.run(nowMs, r.id);
    return toRule(one.get(add(rule, 'user', nowMs))!);
  });
  const sync = db.transaction((rules: readonly PriceRule[], nowMs: number) => {
    const wanted = new Map(rules.map((r) => [identity(r), r]));
    let added = 0;
    let retired = 0;
    const kept = new Set<string>();
    for (const row of active()) {
      if (row.source !== 'builtin') continue;
      const want = wanted.get(identity(row));
      if (want !== undefined && samePrices(row, want) && !kept.has(identity(row))) kept.add(identity(row));
      else retired += retireOne.run(nowMs, row.id).changes;
    }
    for (const [id, rule] of wanted) {
      if (kept.has(id)) continue;
      add(rule, 'builtin', nowMs);
      added++;
    }
    return { added, retired };
  });

  let cachedBook: { print: string; book: PriceBook } | undefined;
  return {
    active,
    byId(id) {
      const r = one.get(id);
      return r === undefined ? undefined : toRule(r);
    },
    putUserRule(rule, nowMs = Date.now()) {
      return put.immediate(rule, nowMs);
    },
    retire(id, nowMs = Date.now()) {
      return retireOne.run(nowMs, id).changes > 0;
    },
    syncBuiltins(rules, nowMs = Date.now()) {
      return sync.immediate(rules, nowMs);
    },
    book() {
      const f = fingerprint.get()!;
      const print = `${f.n}:${f.m}:${f.r}`;
      if (cachedBook?.print !== print) cachedBook = { print, book: createPriceBook(active()) };
      return cachedBook.book;
    },
  };
}
