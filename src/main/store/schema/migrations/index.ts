import type BetterSqlite3 from 'better-sqlite3';
import { init } from './001-init';
import { accounting } from './002-accounting';
import { requestHeaders } from './003-request-headers';
import { attemptTranslated } from './004-attempt-translated';
import { translatedCaptures } from './005-translated-captures';
import { requestTranslated } from './006-request-translated';
import { attemptKey } from './007-attempt-key';
import { routing } from './008-routes';

/** One schema step. Append-only: a shipped migration is never edited, only followed by a new one. */
export interface Migration {
  readonly version: number;
  readonly name: string;
  up(db: BetterSqlite3.Database): void;
}

/** Every migration, in order; `version` must equal its position + 1. */
export const MIGRATIONS: readonly Migration[] = [
  init,
  accounting,
  requestHeaders,
  attemptTranslated,
  translatedCaptures,
  requestTranslated,
  attemptKey,
  routing,
];

/** The schema version this build writes. */
export const SCHEMA_VERSION = MIGRATIONS.length;

function userVersion(db: BetterSqlite3.Database): number {
  return Number(db.pragma('user_version', { simple: true }));
}

function refuseNewer(db: BetterSqlite3.Database, found: number, known: number): void {
  if (found > known) {
    throw new Error(
      `this database was written by a newer Sluice (schema v${found}, this build knows v${known}); ` +
        `run that newer Sluice, or move ${db.name} aside to start a fresh one`,
    );
  }
}

/**
 * Brings the schema up to the newest migration, one transaction per step, tracked in
 * `PRAGMA user_version`. Throws, changing nothing, if the file was written by a newer build.
 * `migrations` is a parameter only so tests can exercise failure and ordering.
 */
export function migrate(
  db: BetterSqlite3.Database,
  migrations: readonly Migration[] = MIGRATIONS,
): { from: number; to: number } {
  migrations.forEach((m, i) => {
    if (m.version !== i + 1) {
      throw new Error(`migration "${m.name}" has version ${m.version} but sits at position ${i + 1}`);
    }
  });
  const known = migrations.length;
  const from = userVersion(db);
  refuseNewer(db, from, known);
  for (const m of migrations) {
    // Checked outside any transaction first, so opening an up-to-date file never takes the write lock.
    if (userVersion(db) >= m.version) continue;
    // IMMEDIATE takes the write lock before re-reading the version, so two processes opening the
    // same new file cannot both run a step.
    db.transaction(() => {
      const current = userVersion(db);
      refuseNewer(db, current, known);
      if (current >= m.version) return;
      m.up(db);
      db.pragma(`user_version = ${m.version}`);
    }).immediate();
  }
  return { from, to: userVersion(db) };
}
