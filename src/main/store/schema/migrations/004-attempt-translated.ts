import type BetterSqlite3 from 'better-sqlite3';
import type { Migration } from './index';

/*
 * Schema 4: an attempt remembers the provider's format when the request was translated for it (`chat`
 * for an Anthropic request sent to a Chat provider), so the inspector marks it after a restart too.
 * NULL = relayed as is, which is what every attempt written before was. A plain ADD COLUMN: no rebuild.
 */
const SQL = `ALTER TABLE attempts ADD COLUMN translated_to TEXT NULL;`;

export const attemptTranslated: Migration = {
  version: 4,
  name: 'attempt-translated',
  up(db: BetterSqlite3.Database): void {
    db.exec(SQL);
  },
};
