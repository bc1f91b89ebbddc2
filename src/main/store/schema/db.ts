import BetterSqlite3 from 'better-sqlite3';
import fs from 'node:fs';
import { dirname } from 'node:path';
import { migrate } from './migrations/index';

export type Database = BetterSqlite3.Database;

export interface OpenDatabaseOptions {
  /** Path to a better_sqlite3.node built for the running runtime (Electron ships its own ABI). */
  nativeBinding?: string;
  /**
   * How long a statement waits for another connection's lock, in ms (default 5000). Every wait
   * blocks the event loop, so a connection shared with the proxy is better served by a short one.
   */
  busyTimeoutMs?: number;
}

export const DEFAULT_BUSY_TIMEOUT_MS = 5000;

function isInMemory(file: string): boolean {
  return file === '' || file === ':memory:' || file.startsWith('file::memory:');
}

/** The database and the files SQLite keeps beside it in WAL mode. */
const COMPANIONS = ['', '-wal', '-shm'] as const;

/**
 * The database holds prompts and captures: its folder is made 0700 and the file is made (or tightened
 * to) 0600 before SQLite opens it, whatever the umask. SQLite creates `-wal` and `-shm` with the
 * database file's own mode, so they follow; any left from an older run are tightened after the open.
 */
function prepareFile(file: string): void {
  const dir = dirname(file);
  if (fs.mkdirSync(dir, { recursive: true, mode: 0o700 }) !== undefined) fs.chmodSync(dir, 0o700);
  fs.closeSync(fs.openSync(file, 'a', 0o600));
  fs.chmodSync(file, 0o600);
}

function tightenCompanions(file: string): void {
  for (const suffix of COMPANIONS) {
    try {
      fs.chmodSync(`${file}${suffix}`, 0o600);
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code !== 'ENOENT') throw err;
    }
  }
}

/** Opens (creating folder and file if needed, owner-only) the usage database, sets pragmas and migrates it. */
export function openDatabase(file: string, opts: OpenDatabaseOptions = {}): Database {
  const onDisk = !isInMemory(file);
  if (onDisk) prepareFile(file);
  const busyTimeoutMs = opts.busyTimeoutMs ?? DEFAULT_BUSY_TIMEOUT_MS;
  const db = new BetterSqlite3(file, {
    timeout: busyTimeoutMs,
    ...(opts.nativeBinding === undefined ? {} : { nativeBinding: opts.nativeBinding }),
  });
  try {
    db.pragma('journal_mode = WAL');
    // NORMAL under WAL can lose the last commits on power loss but never corrupts; usage rows
    // are not worth an fsync per batch.
    db.pragma('synchronous = NORMAL');
    db.pragma(`busy_timeout = ${Math.max(0, Math.floor(busyTimeoutMs))}`);
    db.pragma('foreign_keys = ON');
    migrate(db);
    if (onDisk) tightenCompanions(file);
  } catch (err) {
    db.close();
    throw err;
  }
  return db;
}

/**
 * A second connection that writes an existing, migrated database (the store worker's): the same
 * pragmas as `openDatabase`, nothing made or migrated. Its busy timeout blocks only its own thread.
 */
export function openWriterConnection(file: string, opts: OpenDatabaseOptions = {}): Database {
  const busyTimeoutMs = opts.busyTimeoutMs ?? DEFAULT_BUSY_TIMEOUT_MS;
  const db = new BetterSqlite3(file, {
    fileMustExist: !isInMemory(file),
    timeout: busyTimeoutMs,
    ...(opts.nativeBinding === undefined ? {} : { nativeBinding: opts.nativeBinding }),
  });
  try {
    db.pragma('synchronous = NORMAL');
    db.pragma(`busy_timeout = ${Math.max(0, Math.floor(busyTimeoutMs))}`);
    db.pragma('foreign_keys = ON');
  } catch (err) {
    db.close();
    throw err;
  }
  return db;
}

/**
 * Opens an existing database to read only: no folder or file is made, nothing is migrated or written
 * (`sluice setup` reads settings while the app may be running). Throws when there is no such file.
 */
export function openDatabaseReadOnly(file: string): Database {
  return new BetterSqlite3(file, { readonly: true, fileMustExist: true, timeout: DEFAULT_BUSY_TIMEOUT_MS });
}

/** Folds the WAL back into the main file (so it is a single self-contained file at rest), then closes. */
export function closeDatabase(db: Database): void {
  if (!db.open) return;
  try {
    db.pragma('wal_checkpoint(TRUNCATE)');
  } finally {
    db.close();
  }
}
