import type BetterSqlite3 from 'better-sqlite3';
import type { Migration } from './index';

/**
 * Schema 1: one row per request, plus one row per upstream attempt for failover.
 *
 * Durations are REAL because they come from the monotonic clock, which is fractional.
 * The CHECKs mirror the TypeScript unions so a bug upstream surfaces as a rejected row,
 * not as a value the UI cannot render.
 */
const SQL = `
CREATE TABLE requests (
  request_id            TEXT PRIMARY KEY NOT NULL
                        CHECK (length(request_id) = 32 AND request_id NOT GLOB '*[^0-9a-fA-F]*'),
  started_at            INTEGER NOT NULL,
  client                TEXT NOT NULL,
  user_agent            TEXT,
  format                TEXT NOT NULL,
  model                 TEXT,
  upstream_model        TEXT,
  provider              TEXT,
  stream                INTEGER NOT NULL CHECK (stream IN (0, 1)),
  status                TEXT NOT NULL DEFAULT 'pending'
                        CHECK (status IN ('pending', 'streaming', 'completed', 'failed', 'aborted', 'interrupted')),
  http_status           INTEGER,
  ttfb_ms               REAL,
  upstream_ttfb_ms      REAL,
  duration_ms           REAL,
  input_tokens          INTEGER,
  cache_read_tokens     INTEGER,
  cache_write_tokens    INTEGER,
  cache_write_5m_tokens INTEGER,
  cache_write_1h_tokens INTEGER,
  output_tokens         INTEGER,
  reasoning_tokens      INTEGER,
  usage_provenance      TEXT NOT NULL DEFAULT 'none',
  raw_usage             TEXT,
  error                 TEXT
);

CREATE INDEX requests_started_at ON requests (started_at);

-- Start-up flags rows a crash left open; this keeps that from scanning the whole history.
CREATE INDEX requests_open ON requests (status) WHERE status IN ('pending', 'streaming');

CREATE TABLE attempts (
  request_id  TEXT NOT NULL REFERENCES requests (request_id) ON DELETE CASCADE,
  attempt_no  INTEGER NOT NULL,
  provider    TEXT NOT NULL,
  started_at  INTEGER NOT NULL,
  phase       TEXT NOT NULL CHECK (phase IN ('skipped', 'connect', 'headers', 'prefetch', 'relay')),
  outcome     TEXT NOT NULL CHECK (outcome IN ('committed', 'failed', 'skipped', 'aborted')),
  reason      TEXT,
  http_status INTEGER,
  duration_ms REAL,
  body_head   TEXT,
  PRIMARY KEY (request_id, attempt_no)
);
`;

export const init: Migration = {
  version: 1,
  name: 'init',
  up(db: BetterSqlite3.Database): void {
    db.exec(SQL);
  },
};
