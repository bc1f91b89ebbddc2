import type BetterSqlite3 from 'better-sqlite3';
import type { Migration } from './index';

/*
 * Schema 6: a request remembers the provider's format its serving attempt was translated to (`chat` for
 * an Anthropic request answered by a Chat provider), so the Live screen still marks it after a reload.
 * NULL = relayed as is or never served, which is what every request written before was. A plain ADD
 * COLUMN: no rebuild.
 */
const SQL = `ALTER TABLE requests ADD COLUMN translated_to TEXT NULL;`;

export const requestTranslated: Migration = {
  version: 6,
  name: 'request-translated',
  up(db: BetterSqlite3.Database): void {
    db.exec(SQL);
  },
};
