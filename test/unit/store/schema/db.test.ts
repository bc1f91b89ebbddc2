import BetterSqlite3 from 'better-sqlite3';
import { existsSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { closeDatabase, openDatabase } from '../../../../src/main/store/schema/db';
import { SCHEMA_VERSION } from '../../../../src/main/store/schema/migrations/index';
import { useTempDir } from '../temp-dir';

const tempDir = useTempDir();

function nativeBindingPath(): string {
  const pkg = createRequire(import.meta.url).resolve('better-sqlite3/package.json');
  return join(dirname(pkg), 'build', 'Release', 'better_sqlite3.node');
}

describe('openDatabase', () => {
  it('creates missing parent folders and the file', () => {
    const file = join(tempDir(), 'a', 'b', 'usage.db');
    const db = openDatabase(file);
    expect(existsSync(file)).toBe(true);
    closeDatabase(db);
  });

  it('sets WAL, synchronous NORMAL, foreign keys and the busy timeout', () => {
    const db = openDatabase(join(tempDir(), 'usage.db'), { busyTimeoutMs: 1234 });
    expect(db.pragma('journal_mode', { simple: true })).toBe('wal');
    expect(db.pragma('synchronous', { simple: true })).toBe(1); // NORMAL
    expect(db.pragma('foreign_keys', { simple: true })).toBe(1);
    expect(db.pragma('busy_timeout', { simple: true })).toBe(1234);
    closeDatabase(db);
  });

  it('defaults the busy timeout to 5000 ms', () => {
    const db = openDatabase(join(tempDir(), 'usage.db'));
    expect(db.pragma('busy_timeout', { simple: true })).toBe(5000);
    closeDatabase(db);
  });

  it('passes nativeBinding through to better-sqlite3', () => {
    const db = openDatabase(join(tempDir(), 'ok.db'), { nativeBinding: nativeBindingPath() });
    expect(db.open).toBe(true);
    closeDatabase(db);
    expect(() =>
      openDatabase(join(tempDir(), 'bad.db'), { nativeBinding: join(tempDir(), 'nope.node') }),
    ).toThrow();
  });

  it('migrates an empty file to the newest schema', () => {
    const db = openDatabase(join(tempDir(), 'usage.db'));
    expect(db.pragma('user_version', { simple: true })).toBe(SCHEMA_VERSION);
    closeDatabase(db);
  });

  it('refuses a database written by a newer Sluice and leaves it untouched', () => {
    const file = join(tempDir(), 'usage.db');
    const raw = new BetterSqlite3(file);
    raw.pragma(`user_version = ${SCHEMA_VERSION + 1}`);
    raw.close();
    expect(() => openDatabase(file)).toThrow(
      `this database was written by a newer Sluice (schema v${SCHEMA_VERSION + 1}, this build knows v${SCHEMA_VERSION})`,
    );
    const check = new BetterSqlite3(file, { readonly: true });
    expect(check.pragma('user_version', { simple: true })).toBe(SCHEMA_VERSION + 1);
    expect(check.prepare(`SELECT count(*) AS n FROM sqlite_schema`).get()).toEqual({ n: 0 });
    check.close();
  });
});

describe('closeDatabase', () => {
  it('checkpoints the WAL into the main file and closes', () => {
    const file = join(tempDir(), 'usage.db');
    const db = openDatabase(file);
    db.exec(`CREATE TABLE t (x); INSERT INTO t VALUES (1)`);
    closeDatabase(db);
    expect(db.open).toBe(false);
    expect(existsSync(`${file}-wal`)).toBe(false);
    closeDatabase(db); // a second close is harmless
  });
});
