import { statSync } from 'node:fs';
import { join } from 'node:path';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { Checkpointer } from '../../../../src/main/store/write/checkpointer';
import { closeDatabase, openDatabase, type Database } from '../../../../src/main/store/schema/db';
import { useTempDir } from '../temp-dir';

const tempDir = useTempDir();
const opened: Database[] = [];
afterEach(() => {
  for (const db of opened.splice(0)) closeDatabase(db);
});

describe('Checkpointer', () => {
  it('takes WAL checkpoints off the connection and does them in a worker', async () => {
    const db = openDatabase(join(tempDir(), 'usage.db'));
    opened.push(db);
    const errors: string[] = [];
    const cp = new Checkpointer(db, { intervalMs: 20, onError: (m) => errors.push(m) });
    expect(cp.running).toBe(true);
    expect(db.pragma('wal_autocheckpoint', { simple: true })).toBe(0);
    db.exec('CREATE TABLE t (x)');
    const insert = db.prepare('INSERT INTO t VALUES (randomblob(3000))');
    db.transaction(() => {
      for (let i = 0; i < 3000; i++) insert.run(); // far past the 1 000-page automatic threshold
    })();
    expect(statSync(`${db.name}-wal`).size).toBeGreaterThan(9_000_000);
    // Nothing on this thread checkpointed, so the data reaches the main file only through the worker.
    expect(statSync(db.name).size).toBeLessThan(1_000_000);
    await vi.waitFor(() => expect(statSync(db.name).size).toBeGreaterThan(9_000_000));
    await cp.stop();
    expect(db.pragma('wal_autocheckpoint', { simple: true })).toBe(1000);
    expect(errors).toEqual([]);
  });

  it('gives checkpoints back to the connection when the worker cannot run', async () => {
    const db = openDatabase(join(tempDir(), 'usage.db'));
    opened.push(db);
    const errors: string[] = [];
    const cp = new Checkpointer(db, {
      nativeBinding: join(tempDir(), 'missing.node'),
      onError: (m) => errors.push(m),
    });
    await vi.waitFor(() => expect(errors.join('\n')).toMatch(/background WAL checkpoints stopped/));
    expect(cp.running).toBe(false);
    expect(db.pragma('wal_autocheckpoint', { simple: true })).toBe(1000);
    await cp.stop();
  });
});
