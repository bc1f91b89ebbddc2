import type BetterSqlite3 from 'better-sqlite3';
import type { Migration } from './index';

/*
 * Schema 8: routing. `routes` holds the saved routes (config `routes`, see RouteSchema), one JSON row
 * per route in order; a request remembers how its chain was chosen (`route`: the matched route's index
 * and globs, or NULL for the default chain; JSON, see RouteChoice). Plain CREATE and ADD COLUMN.
 */
const SQL = `
CREATE TABLE routes (
  position   INTEGER PRIMARY KEY NOT NULL,
  config     TEXT NOT NULL,
  updated_at INTEGER NOT NULL
);
ALTER TABLE requests ADD COLUMN route TEXT NULL;
`;

export const routing: Migration = {
  version: 8,
  name: 'routes',
  up(db: BetterSqlite3.Database): void {
    db.exec(SQL);
  },
};
