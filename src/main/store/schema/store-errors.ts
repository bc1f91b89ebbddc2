import BetterSqlite3 from 'better-sqlite3';

// Errors that belong to one record, not to the database: retrying the same record can never help.
const RECORD_ERROR_CODE = /^SQLITE_(CONSTRAINT|MISMATCH|TOOBIG|RANGE)/;

// What an operator should do about the database-wide failures, in their words.
const HINTS: readonly [RegExp, string][] = [
  [/^SQLITE_FULL/, 'the disk is full (or the database hit its size limit)'],
  [/^SQLITE_BUSY|^SQLITE_LOCKED/, 'another program holds the database locked'],
  [/^SQLITE_READONLY/, 'the database file is read-only'],
  [/^SQLITE_IOERR/, 'the disk reported an I/O error'],
  [/^SQLITE_CORRUPT|^SQLITE_NOTADB/, 'the database file is damaged'],
  [/^SQLITE_CANTOPEN/, 'the database file cannot be opened'],
];

/** A stable key for "the same problem again" and one line of text for the operator. */
export function describeStoreError(err: unknown): { key: string; text: string } {
  if (err instanceof BetterSqlite3.SqliteError) {
    const hint = HINTS.find(([re]) => re.test(err.code))?.[1];
    return { key: err.code, text: `${hint === undefined ? '' : `${hint}: `}${err.code}: ${err.message}` };
  }
  const text = err instanceof Error ? err.message : String(err);
  return { key: text, text };
}

/** True when `err` is about one record (retrying it alone can never succeed), not the database. */
export function isRecordError(err: unknown, dbOpen: boolean): boolean {
  if (err instanceof BetterSqlite3.SqliteError) return RECORD_ERROR_CODE.test(err.code);
  // Bind errors (a value SQLite cannot store) are TypeError/RangeError; on a closed handle they
  // are about the connection, and the records must wait.
  return (err instanceof TypeError || err instanceof RangeError) && dbOpen;
}
