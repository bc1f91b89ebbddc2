import BetterSqlite3 from 'better-sqlite3';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { closeDatabase, openDatabase } from '../../../../../src/main/store/schema/db';
import {
  MIGRATIONS,
  SCHEMA_VERSION,
  migrate,
  type Migration,
} from '../../../../../src/main/store/schema/migrations/index';
import { useTempDir } from '../../temp-dir';

const tempDir = useTempDir();

function tableNames(db: BetterSqlite3.Database): string[] {
  return db
    .prepare<[], { name: string }>(`SELECT name FROM sqlite_schema WHERE type = 'table' ORDER BY name`)
    .all()
    .map((r) => r.name);
}

function columns(db: BetterSqlite3.Database, table: string): string[] {
  return db
    .prepare<[], { name: string }>(`SELECT name FROM pragma_table_info('${table}')`)
    .all()
    .map((r) => r.name);
}

describe('migrate', () => {
  it('numbers migrations 1..n', () => {
    expect(MIGRATIONS.map((m) => m.version)).toEqual(MIGRATIONS.map((_, i) => i + 1));
    expect(SCHEMA_VERSION).toBe(MIGRATIONS.length);
  });

  it('builds the newest schema from an empty database', () => {
    const db = new BetterSqlite3(join(tempDir(), 'usage.db'));
    expect(migrate(db)).toEqual({ from: 0, to: SCHEMA_VERSION });
    expect(tableNames(db)).toEqual([
      'attempts',
      'capture_totals',
      'captures',
      'pricing',
      'providers',
      'requests',
      'routes',
      'settings',
      'usage_hourly',
    ]);
    db.close();
  });

  it('builds schema 1 from an empty database', () => {
    const db = new BetterSqlite3(join(tempDir(), 'usage.db'));
    expect(migrate(db, MIGRATIONS.slice(0, 1))).toEqual({ from: 0, to: 1 });
    expect(tableNames(db)).toEqual(['attempts', 'requests']);
    expect(columns(db, 'requests')).toEqual([
      'request_id',
      'started_at',
      'client',
      'user_agent',
      'format',
      'model',
      'upstream_model',
      'provider',
      'stream',
      'status',
      'http_status',
      'ttfb_ms',
      'upstream_ttfb_ms',
      'duration_ms',
      'input_tokens',
      'cache_read_tokens',
      'cache_write_tokens',
      'cache_write_5m_tokens',
      'cache_write_1h_tokens',
      'output_tokens',
      'reasoning_tokens',
      'usage_provenance',
      'raw_usage',
      'error',
    ]);
    expect(columns(db, 'attempts')).toEqual([
      'request_id',
      'attempt_no',
      'provider',
      'started_at',
      'phase',
      'outcome',
      'reason',
      'http_status',
      'duration_ms',
      'body_head',
    ]);
    const indexes = db
      .prepare<[], { name: string }>(`SELECT name FROM pragma_index_list('requests')`)
      .all()
      .map((r) => r.name);
    expect(indexes).toContain('requests_started_at');
    db.close();
  });

  it('is idempotent across re-opens and keeps the data', () => {
    const file = join(tempDir(), 'usage.db');
    const first = openDatabase(file);
    first.exec(
      `INSERT INTO requests (request_id, started_at, client, format, stream) VALUES ('${'a'.repeat(32)}', 1, 'curl', 'gemini', 0)`,
    );
    closeDatabase(first);
    const second = openDatabase(file);
    expect(migrate(second)).toEqual({ from: SCHEMA_VERSION, to: SCHEMA_VERSION });
    expect(second.prepare(`SELECT count(*) AS n FROM requests`).get()).toEqual({ n: 1 });
    closeDatabase(second);
  });

  it('rolls a failing step back whole and leaves user_version at the last good step', () => {
    const db = new BetterSqlite3(join(tempDir(), 'usage.db'));
    const broken: Migration = {
      version: SCHEMA_VERSION + 1,
      name: 'broken',
      up(d) {
        d.exec(`CREATE TABLE half_done (x)`);
        throw new Error('boom');
      },
    };
    expect(() => migrate(db, [...MIGRATIONS, broken])).toThrow('boom');
    expect(db.pragma('user_version', { simple: true })).toBe(SCHEMA_VERSION);
    expect(tableNames(db)).not.toContain('half_done');
    db.close();
  });

  it('refuses misnumbered migrations', () => {
    const db = new BetterSqlite3(':memory:');
    const skipped: Migration = { version: SCHEMA_VERSION + 2, name: 'skipped', up() {} };
    expect(() => migrate(db, [...MIGRATIONS, skipped])).toThrow(
      `version ${SCHEMA_VERSION + 2} but sits at position ${SCHEMA_VERSION + 1}`,
    );
    db.close();
  });

  it('enforces the attempts → requests foreign key', () => {
    const db = openDatabase(join(tempDir(), 'usage.db'));
    expect(() =>
      db.exec(
        `INSERT INTO attempts (request_id, attempt_no, provider, started_at, phase, outcome) VALUES ('${'b'.repeat(32)}', 1, 'p', 1, 'connect', 'failed')`,
      ),
    ).toThrow(/FOREIGN KEY/);
    closeDatabase(db);
  });
});
