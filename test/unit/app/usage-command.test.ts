import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { PassThrough } from 'node:stream';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { runUsageCommand, stdoutSink } from '../../../src/main/app/usage-command';
import { closeDatabase, openDatabase } from '../../../src/main/store/schema/db';
import { UsageWriter } from '../../../src/main/store/write/usage-writer';
import { aFinish, aStart } from '../store/fixtures';

/** Fields a client or an upstream controls, each trying something on a spreadsheet or a terminal. */
const MODEL = '=HYPERLINK("http://evil.example","x")';
const USER_AGENT = '@SUM(1+1)*cmd|calc';
const ERROR = '-2+3 \x1b]8;;http://evil.example\x07click\x1b]8;;\x07 \x1b[31mred\x1b[0m \x9b2J done';
const PROVIDER = '+prov\tider\r';

describe('sluice usage', () => {
  let dir: string;

  beforeAll(() => {
    dir = fs.mkdtempSync(path.join(os.tmpdir(), 'sluice-usage-cmd-'));
    const db = openDatabase(path.join(dir, 'sluice.db'));
    const writer = new UsageWriter(db, {});
    const start = aStart({ model: MODEL, userAgent: USER_AGENT });
    writer.requestStarted(start);
    writer.requestFinished(aFinish(start.requestId, { status: 'failed', provider: PROVIDER, error: ERROR }));
    writer.close();
    closeDatabase(db);
  });
  afterAll(() => fs.rmSync(dir, { recursive: true, force: true }));

  const run = (...args: string[]): string => {
    let out = '';
    expect(runUsageCommand([...args, '--data-dir', dir], (s) => (out += s))).toBe(0);
    return out;
  };

  it('neutralises formula cells in its CSV (a leading quote), rows and totals alike', () => {
    const csv = run('--csv');
    const record = csv.split('\r\n')[1]!;
    expect(record).toContain(`"'=HYPERLINK(""http://evil.example"",""x"")"`);
    expect(record).toContain(`'@SUM(1+1)*cmd|calc`);
    expect(record).toContain(`"'+prov\tider`);
    expect(record).toContain(`,'-2+3 `);
    // Numbers stay numbers.
    expect(record).toContain(',200,');
    for (const group of ['model', 'provider', 'client']) {
      const cells = run('--csv', '--group-by', group).split('\r\n')[1]!;
      expect(cells.startsWith('=') || cells.startsWith('+') || cells.startsWith('@')).toBe(false);
    }
    expect(run('--csv', '--group-by', 'provider').split('\r\n')[1]).toMatch(/^"'\+prov/);
  });

  it('prints no control character or escape sequence in its tables', () => {
    for (const table of [run(), run('--group-by', 'provider'), run('--group-by', 'model')]) {
      expect(table).not.toMatch(/[\x00-\x09\x0b-\x1f\x7f-\x9f]/);
      expect(table).not.toContain('\x1b');
    }
    const rows = run();
    expect(rows).toContain('=HYPERLINK');
    expect(run('--group-by', 'provider')).toContain('+provider ');
  });

  it('keeps the JSON exact: it is data for programs, escaped by JSON itself', () => {
    const rows = JSON.parse(run('--json')) as { model: string; error: string }[];
    expect(rows[0]).toMatchObject({ model: MODEL, error: ERROR });
  });

  it('stops quietly when the reader of its output has gone (`| head`)', async () => {
    const stream = new PassThrough();
    const out = stdoutSink(stream);
    out('first\n');
    const epipe = Object.assign(new Error('write EPIPE'), { code: 'EPIPE' });
    stream.emit('error', epipe);
    // Later writes are dropped, not thrown, and no error escapes.
    expect(() => out('second\n')).not.toThrow();
    await new Promise((r) => setImmediate(r));
    expect(stream.destroyed).toBe(true);
    // Anything else is still an error.
    const other = new PassThrough();
    stdoutSink(other);
    expect(() => other.emit('error', new Error('disk on fire'))).toThrow('disk on fire');
  });
});
