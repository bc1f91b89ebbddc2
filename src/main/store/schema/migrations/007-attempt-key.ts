import type BetterSqlite3 from 'better-sqlite3';
import type { Migration } from './index';

/*
 * Schema 7: an attempt remembers which of its provider's keys it was sent with, by fingerprint (first 4
 * and last 4 hex digits of the key's SHA-256, never the key), so a key pool's rows say which key served
 * or failed. NULL = the client's own credentials, a skipped candidate, or a row written before. A plain
 * ADD COLUMN: no rebuild.
 */
const SQL = `ALTER TABLE attempts ADD COLUMN key_fingerprint TEXT NULL;`;

export const attemptKey: Migration = {
  version: 7,
  name: 'attempt-key',
  up(db: BetterSqlite3.Database): void {
    db.exec(SQL);
  },
};
