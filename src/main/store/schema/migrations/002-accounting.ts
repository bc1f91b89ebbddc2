import type BetterSqlite3 from 'better-sqlite3';
import type { Migration } from './index';

/*
 * Schema 2: accounting. Prices and the cost charged at record time, an hourly rollup so dashboard
 * summaries never scan the raw rows, captured frames, the provider and settings tables the UI will
 * edit, and indexes for each filter of the request list.
 *
 * Frozen once shipped: the TTFB histogram bounds and the rollup's backfill below are a copy, on purpose,
 * of what the writer uses today (src/main/store/schema/ttfb-histogram.ts: bounds and blob layout). Changing those later takes a new
 * migration that rebuilds `usage_hourly`.
 */

/** Upper bounds (exclusive, ms) of histogram buckets t0…t22; t23 holds everything slower. */
const TTFB_BOUNDS_MS = [
  50, 100, 150, 200, 300, 400, 500, 650, 800, 1000, 1250, 1500, 2000, 2500, 3000, 4000, 5000, 6500, 8000,
  10000, 15000, 20000, 30000,
];
const BUCKETS = TTFB_BOUNDS_MS.length + 1;

const PRICING = `
CREATE TABLE pricing (
  id                      INTEGER PRIMARY KEY,
  model_pattern           TEXT NOT NULL CHECK (length(model_pattern) BETWEEN 1 AND 200),
  provider                TEXT,
  above_prompt_tokens     INTEGER NOT NULL DEFAULT 0 CHECK (above_prompt_tokens >= 0),
  input_per_mtok          REAL NOT NULL CHECK (input_per_mtok >= 0),
  cache_read_per_mtok     REAL CHECK (cache_read_per_mtok >= 0),
  cache_write_5m_per_mtok REAL CHECK (cache_write_5m_per_mtok >= 0),
  cache_write_1h_per_mtok REAL CHECK (cache_write_1h_per_mtok >= 0),
  output_per_mtok         REAL NOT NULL CHECK (output_per_mtok >= 0),
  source                  TEXT NOT NULL CHECK (source IN ('builtin', 'user')),
  created_at              INTEGER NOT NULL,
  -- Rows are never updated in place: an edit retires the row, so requests priced by it keep their price.
  retired_at              INTEGER
);
CREATE INDEX pricing_active ON pricing (source, model_pattern) WHERE retired_at IS NULL;

ALTER TABLE requests ADD COLUMN cost_usd REAL;
ALTER TABLE requests ADD COLUMN pricing_id INTEGER REFERENCES pricing (id);
`;

// One index per filter of the request list, each ending in started_at so a filtered page is read in
// order straight off the index. `model` is the billed model, so its index is on the same expression.
// The status index also finds the rows a crash left open, so schema 1's partial index for that goes:
// every index is paid for on each of the three writes a request makes.
const REQUEST_INDEXES = `
DROP INDEX requests_open;
CREATE INDEX requests_client ON requests (client, started_at);
CREATE INDEX requests_provider ON requests (provider, started_at);
CREATE INDEX requests_model ON requests (coalesce(upstream_model, model), started_at);
CREATE INDEX requests_status ON requests (status, started_at);
`;

// Totals per hour for each value of each dimension on its own (not per combination, which would
// grow with clients × providers × models), plus the hour's overall total: a dashboard range reads
// hours × values of one dimension, or just hours.
const ROLLUP = `
CREATE TABLE usage_hourly (
  dim                TEXT NOT NULL CHECK (dim IN ('model', 'provider', 'client', 'total')),
  hour               INTEGER NOT NULL, -- started_at floored to the UTC hour, ms
  key                TEXT NOT NULL,    -- the dimension's value ('' when none, always for total); model = billed model
  requests           INTEGER NOT NULL DEFAULT 0,
  completed          INTEGER NOT NULL DEFAULT 0,
  failed             INTEGER NOT NULL DEFAULT 0,
  aborted            INTEGER NOT NULL DEFAULT 0,
  interrupted        INTEGER NOT NULL DEFAULT 0,
  input_tokens       INTEGER NOT NULL DEFAULT 0,
  cache_read_tokens  INTEGER NOT NULL DEFAULT 0,
  cache_write_tokens INTEGER NOT NULL DEFAULT 0,
  output_tokens      INTEGER NOT NULL DEFAULT 0,
  reasoning_tokens   INTEGER NOT NULL DEFAULT 0,
  cost_usd           REAL NOT NULL DEFAULT 0,
  unpriced           INTEGER NOT NULL DEFAULT 0,
  -- TTFB histogram of completed requests: ${BUCKETS} big-endian uint32 counters in one blob.
  ttfb_hist          BLOB NOT NULL,
  PRIMARY KEY (dim, hour, key)
) WITHOUT ROWID;
`;

const DIMENSIONS = {
  model: "coalesce(upstream_model, model, '')",
  provider: "coalesce(provider, '')",
  client: 'client',
  total: "''",
};

function bucketCase(column: string): string {
  const whens = TTFB_BOUNDS_MS.map((b, i) => `WHEN ${column} < ${b} THEN ${i}`).join(' ');
  return `CASE WHEN ${column} IS NULL THEN -1 ${whens} ELSE ${BUCKETS - 1} END`;
}

// Rows written by schema 1 enter the rollup once; they carry no cost (no prices existed then).
const BACKFILL = Object.entries(DIMENSIONS)
  .map(
    ([dim, key]) => `
INSERT INTO usage_hourly (dim, hour, key, requests, completed, failed, aborted, interrupted,
  input_tokens, cache_read_tokens, cache_write_tokens, output_tokens, reasoning_tokens, cost_usd, unpriced, ttfb_hist)
SELECT '${dim}', (started_at / 3600000) * 3600000, ${key},
  count(*), sum(status = 'completed'), sum(status = 'failed'), sum(status = 'aborted'), sum(status = 'interrupted'),
  total(input_tokens), total(cache_read_tokens), total(cache_write_tokens), total(output_tokens), total(reasoning_tokens),
  0, sum(input_tokens IS NOT NULL OR output_tokens IS NOT NULL),
  unhex(printf('${'%08x'.repeat(BUCKETS)}', ${Array.from({ length: BUCKETS }, (_, i) => `sum(status = 'completed' AND b = ${i})`).join(', ')}))
FROM (SELECT *, ${bucketCase('ttfb_ms')} AS b FROM requests
      WHERE status IN ('completed', 'failed', 'aborted', 'interrupted'))
GROUP BY 2, 3;`,
  )
  .join('\n');

const CAPTURES = `
CREATE TABLE captures (
  id          INTEGER PRIMARY KEY, -- ascending = oldest first, which is the order the total cap drops in
  request_id  TEXT NOT NULL REFERENCES requests (request_id) ON DELETE CASCADE,
  kind        TEXT NOT NULL CHECK (kind IN ('frames', 'request-body')),
  captured_at INTEGER NOT NULL,
  frames      INTEGER NOT NULL,
  -- frames: frames dropped by a cap since the previous chunk; request-body: bytes cut from its end.
  dropped     INTEGER NOT NULL DEFAULT 0,
  bytes       INTEGER NOT NULL,    -- stored payload size, counted against captureMaxTotalBytes
  payload     BLOB NOT NULL        -- raw DEFLATE of the UTF-8 text (frames: capture-codec.ts; body: as sent)
);
CREATE INDEX captures_request ON captures (request_id, id);
CREATE INDEX captures_captured_at ON captures (captured_at);

-- The running total the total cap is checked against, kept exact by triggers (cascades included).
CREATE TABLE capture_totals (id INTEGER PRIMARY KEY CHECK (id = 1), bytes INTEGER NOT NULL);
INSERT INTO capture_totals (id, bytes) VALUES (1, 0);
CREATE TRIGGER captures_added AFTER INSERT ON captures
  BEGIN UPDATE capture_totals SET bytes = bytes + NEW.bytes WHERE id = 1; END;
CREATE TRIGGER captures_removed AFTER DELETE ON captures
  BEGIN UPDATE capture_totals SET bytes = bytes - OLD.bytes WHERE id = 1; END;
`;

const CONFIG = `
-- Provider settings as the UI edits them. Never an API key: keys live in the OS keychain and only
-- a reference to one is kept here.
CREATE TABLE providers (
  id         TEXT PRIMARY KEY NOT NULL,
  position   INTEGER NOT NULL,
  config     TEXT NOT NULL CHECK (json_valid(config)),
  key_ref    TEXT,
  updated_at INTEGER NOT NULL
);

CREATE TABLE settings (
  key        TEXT PRIMARY KEY NOT NULL,
  value      TEXT NOT NULL CHECK (json_valid(value)),
  updated_at INTEGER NOT NULL
) WITHOUT ROWID;
`;

export const accounting: Migration = {
  version: 2,
  name: 'accounting',
  up(db: BetterSqlite3.Database): void {
    db.exec(PRICING);
    db.exec(REQUEST_INDEXES);
    db.exec(ROLLUP);
    db.exec(BACKFILL);
    db.exec(CAPTURES);
    db.exec(CONFIG);
  },
};
