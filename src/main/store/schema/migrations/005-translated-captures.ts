import type BetterSqlite3 from 'better-sqlite3';
import type { Migration } from './index';

/*
 * Schema 5: a translated attempt keeps both sides. Kind `upstream-request` is the body the provider was
 * sent (its own format, the model mapped), stored like `request-body` — only when captureRequestBodies is
 * on — with the attempt number in `frames`; kind `client-response` is the answer re-encoded for the
 * client, raw bytes framed like `response` (capture-codec.ts), bounded like it. A relayed attempt writes
 * neither. The table is rebuilt as in schema 3 (a CHECK cannot change in place): ids kept, triggers
 * recreated after the copy, so `capture_totals` stays exact.
 */
const SQL = `
CREATE TABLE captures_new (
  id          INTEGER PRIMARY KEY, -- ascending = oldest first, which is the order the total cap drops in
  request_id  TEXT NOT NULL REFERENCES requests (request_id) ON DELETE CASCADE,
  kind        TEXT NOT NULL
              CHECK (kind IN ('frames', 'response', 'request-body', 'request-headers', 'smoothing',
                              'upstream-request', 'client-response')),
  captured_at INTEGER NOT NULL,
  -- frames / response / client-response: frames held; smoothing: split deltas held;
  -- upstream-request: the attempt it was sent by; else 0
  frames      INTEGER NOT NULL,
  -- frames / response / client-response: frames dropped by a cap since the previous chunk; request-body,
  -- upstream-request: bytes cut from its end; request-headers: headers left out by their bounds;
  -- smoothing: split deltas dropped by its bounds.
  dropped     INTEGER NOT NULL DEFAULT 0,
  bytes       INTEGER NOT NULL,    -- stored payload size, counted against captureMaxTotalBytes
  codec       INTEGER NOT NULL DEFAULT 0 CHECK (codec IN (0, 1)), -- 0 = raw DEFLATE, 1 = Brotli
  payload     BLOB NOT NULL        -- compressed capture-codec.ts payload (bodies: the text as sent)
);
INSERT INTO captures_new (id, request_id, kind, captured_at, frames, dropped, bytes, codec, payload)
  SELECT id, request_id, kind, captured_at, frames, dropped, bytes, codec, payload FROM captures;
DROP TABLE captures;
ALTER TABLE captures_new RENAME TO captures;
CREATE INDEX captures_request ON captures (request_id, id);
CREATE INDEX captures_captured_at ON captures (captured_at);
CREATE TRIGGER captures_added AFTER INSERT ON captures
  BEGIN UPDATE capture_totals SET bytes = bytes + NEW.bytes WHERE id = 1; END;
CREATE TRIGGER captures_removed AFTER DELETE ON captures
  BEGIN UPDATE capture_totals SET bytes = bytes - OLD.bytes WHERE id = 1; END;
`;

export const translatedCaptures: Migration = {
  version: 5,
  name: 'translated-captures',
  up(db: BetterSqlite3.Database): void {
    db.exec(SQL);
  },
};
