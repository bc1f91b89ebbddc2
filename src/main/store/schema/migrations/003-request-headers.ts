import type BetterSqlite3 from 'better-sqlite3';
import type { Migration } from './index';

/*
 * Schema 3: captures may hold a request's line and headers (kind `request-headers`, redacted JSON, see
 * src/main/store/schema/capture-codec.ts), so they share the captures' retention and total cap; and a
 * response's raw bytes (kind `response`), which replace frames stored one by one: the relay then keeps
 * each chunk as it came instead of doing work per event; and, when smoothing is on, each split delta's
 * upstream arrival and client deliveries (kind `smoothing`, delta-encoded offsets), so the inspector
 * shows them for a request opened after it ended. Rows of kind `frames` stay readable. New rows are
 * compressed with Brotli at quality 1 (`codec` 1): about twice as fast as DEFLATE level 1 on SSE
 * payloads of every size, and smaller on large ones; rows written before keep `codec` 0 (raw DEFLATE).
 *
 * SQLite cannot change a CHECK in place, so the table is rebuilt the documented way: new table, copy,
 * drop, rename, then its indexes and triggers again. The copy keeps every id (the total cap drops by
 * id) and runs before the triggers exist, and dropping a table fires none, so `capture_totals` stays
 * exact without being touched. A one-time cost at upgrade, bounded by captureMaxTotalBytes.
 */
const SQL = `
CREATE TABLE captures_new (
  id          INTEGER PRIMARY KEY, -- ascending = oldest first, which is the order the total cap drops in
  request_id  TEXT NOT NULL REFERENCES requests (request_id) ON DELETE CASCADE,
  kind        TEXT NOT NULL
              CHECK (kind IN ('frames', 'response', 'request-body', 'request-headers', 'smoothing')),
  captured_at INTEGER NOT NULL,
  frames      INTEGER NOT NULL,    -- frames / response: frames held; smoothing: split deltas held; else 0
  -- frames / response: frames dropped by a cap since the previous chunk; request-body: bytes cut from its end;
  -- request-headers: headers left out by their bounds; smoothing: split deltas dropped by its bounds.
  dropped     INTEGER NOT NULL DEFAULT 0,
  bytes       INTEGER NOT NULL,    -- stored payload size, counted against captureMaxTotalBytes
  codec       INTEGER NOT NULL DEFAULT 0 CHECK (codec IN (0, 1)), -- 0 = raw DEFLATE, 1 = Brotli
  payload     BLOB NOT NULL        -- compressed capture-codec.ts payload (body: the text as sent)
);
INSERT INTO captures_new (id, request_id, kind, captured_at, frames, dropped, bytes, codec, payload)
  SELECT id, request_id, kind, captured_at, frames, dropped, bytes, 0, payload FROM captures;
DROP TABLE captures;
ALTER TABLE captures_new RENAME TO captures;
CREATE INDEX captures_request ON captures (request_id, id);
CREATE INDEX captures_captured_at ON captures (captured_at);
CREATE TRIGGER captures_added AFTER INSERT ON captures
  BEGIN UPDATE capture_totals SET bytes = bytes + NEW.bytes WHERE id = 1; END;
CREATE TRIGGER captures_removed AFTER DELETE ON captures
  BEGIN UPDATE capture_totals SET bytes = bytes - OLD.bytes WHERE id = 1; END;
`;

export const requestHeaders: Migration = {
  version: 3,
  name: 'request-headers',
  up(db: BetterSqlite3.Database): void {
    db.exec(SQL);
  },
};
