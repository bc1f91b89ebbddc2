import fs from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { closeDatabase, openDatabase } from '../../../../src/main/store/schema/db';
import { useTempDir } from '../temp-dir';

const tempDir = useTempDir();
const mode = (p: string): number => fs.statSync(p).mode & 0o777;

describe.skipIf(process.platform === 'win32')('database files are the owner’s alone', () => {
  it('makes the folder 0700 and the database, -wal and -shm 0600 whatever the umask', () => {
    const dir = join(tempDir(), 'data');
    const file = join(dir, 'sluice.db');
    const db = openDatabase(file);
    db.exec('CREATE TABLE t (x TEXT)');
    db.prepare('INSERT INTO t VALUES (?)').run('a prompt');
    expect(mode(dir)).toBe(0o700);
    for (const f of [file, `${file}-wal`, `${file}-shm`]) expect(mode(f), f).toBe(0o600);
    closeDatabase(db);
  });

  it('tightens a database and WAL files an older Sluice left readable', () => {
    const file = join(tempDir(), 'sluice.db');
    closeDatabase(openDatabase(file));
    fs.chmodSync(file, 0o644);
    fs.writeFileSync(`${file}-wal`, '', { mode: 0o644 });
    const db = openDatabase(file);
    for (const f of [file, `${file}-wal`, `${file}-shm`]) expect(mode(f), f).toBe(0o600);
    closeDatabase(db);
  });
});
