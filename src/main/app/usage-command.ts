import { parseArgs } from 'node:util';
import fs from 'node:fs';
import path from 'node:path';
import { defaultDataDir } from '../config/data-dir';
import { summaryRowsToCsv, type CsvGroup } from '../control/summary-csv';
import { closeDatabase, openDatabase } from '../store/schema/db';
import { createUsageQueries, type UsageQueries } from '../store/read/usage-queries';
import { usageCsvHeader, usageRowToCsvLine } from '../../shared/usage-format';
import type { RequestFilter, UsageRow } from '../../shared/usage';
import type { SummaryQuery, SummaryRow } from '../../shared/usage-query';

const GROUPS: readonly CsvGroup[] = ['day', 'model', 'provider', 'client'];

function parseTime(name: string, value: string | undefined): number | undefined {
  if (value === undefined) return undefined;
  const ms = Date.parse(value);
  if (Number.isNaN(ms)) throw new Error(`--${name} must be an ISO date/time, got "${value}"`);
  return ms;
}

function parseGroup(value: string | undefined): CsvGroup | undefined {
  if (value === undefined) return undefined;
  const group = GROUPS.find((g) => g === value);
  if (group === undefined) throw new Error(`--group-by must be one of ${GROUPS.join(', ')}, got "${value}"`);
  return group;
}

type Format = 'table' | 'json' | 'csv';

/**
 * Terminal escape sequences (CSI, OSC, other ESC sequences, and C1's single-byte CSI), then any other
 * control character (C0, DEL, C1) and the Unicode bidi controls that reorder what a terminal shows.
 */
const ESCAPES =
  /\x1b\[[0-?]*[ -/]*[@-~]|\x1b\][^\x07\x1b]*(?:\x07|\x1b\\)?|\x1b[ -/]*[0-~]?|\x9b[0-?]*[ -/]*[@-~]/g;
const CONTROLS = /[\x00-\x1f\x7f-\x9f\u061c\u200e\u200f\u202a-\u202e\u2066-\u2069]/g;

/**
 * A field as the table prints it: model names, clients and providers come from clients and upstreams,
 * and a terminal would obey an escape sequence in them (colours, links, a cleared screen, a title).
 */
export function terminalSafe(text: string): string {
  return text.replace(ESCAPES, '').replace(CONTROLS, '');
}

/** Every matching request, written as it is read: an export of a year holds one row in memory at a time. */
function writeRows(rows: Iterable<UsageRow>, format: Format, out: (s: string) => void): void {
  let n = 0;
  if (format === 'csv') out(usageCsvHeader());
  if (format === 'table')
    out(
      'started_at                client        format            model → provider                 status     ttfb   in/out      cost\n',
    );
  for (const r of rows) {
    if (format === 'csv') out(usageRowToCsvLine(r));
    // The same text JSON.stringify(rows, null, 2) gives, one element at a time.
    else if (format === 'json')
      out(`${n === 0 ? '[\n' : ',\n'}${JSON.stringify(r, null, 2).replace(/^/gm, '  ')}`);
    else {
      const t = terminalSafe;
      const route = `${t(r.model ?? '-')} → ${t(r.provider ?? '-')}`;
      const cost = r.costUsd === null ? '-' : `$${r.costUsd.toFixed(4)}`;
      out(
        `${t(r.startedAt).padEnd(25)} ${t(r.client).padEnd(13)} ${t(r.format).padEnd(17)} ${route.slice(0, 32).padEnd(32)} ${t(r.status).padEnd(10)} ${String(r.ttfbMs ?? '-').padStart(5)}  ${`${r.inputTokens ?? '-'}/${r.outputTokens ?? '-'}`.padEnd(11)} ${cost}\n`,
      );
    }
    n++;
  }
  if (format === 'json') out(n === 0 ? '[]\n' : '\n]\n');
  if (format === 'table') out(`${n} request(s)\n`);
}

function writeSummary(
  rows: readonly SummaryRow[],
  group: CsvGroup,
  format: Format,
  out: (s: string) => void,
): void {
  if (format === 'csv') return out(summaryRowsToCsv(rows, group));
  if (format === 'json') return out(`${JSON.stringify(rows, null, 2)}\n`);
  out(
    `${group.padEnd(28)} requests  errors   input     cache-read  cache-write output      cost       ttfb p50/p95\n`,
  );
  for (const r of rows) {
    const name = terminalSafe(group === 'day' ? (r.bucketStart ?? '-').slice(0, 10) : (r.key ?? '-')).slice(
      0,
      28,
    );
    const num = (v: number, w: number): string => String(v).padStart(w);
    const ttfb = `${r.ttfbP50Ms ?? '-'}/${r.ttfbP95Ms ?? '-'}`;
    out(
      `${name.padEnd(28)} ${num(r.requests, 8)} ${num(r.errors, 7)} ${num(r.inputTokens, 11)} ${num(r.cacheReadTokens, 11)} ${num(r.cacheWriteTokens, 11)} ${num(r.outputTokens, 11)} ${`$${r.costUsd.toFixed(2)}`.padStart(10)}  ${ttfb}\n`,
    );
  }
}

function summaryQuery(group: CsvGroup, range: RequestFilter, utc: boolean): SummaryQuery {
  const base = { ...range, timeZone: utc ? ('utc' as const) : ('local' as const) };
  // As the UI's export: days are totals per calendar day, the rest totals over the range.
  return group === 'day'
    ? { ...base, bucket: 'day', groupBy: 'none' }
    : { ...base, bucket: 'all', groupBy: group };
}

/**
 * Writes to `stream` (stdout) for `sluice usage`: once the reader has gone (`sluice usage | head`), the
 * rest is dropped quietly and the command still exits 0, rather than dying of EPIPE with a stack trace.
 */
export function stdoutSink(
  stream: NodeJS.WritableStream & { destroyed: boolean; destroy(): void } = process.stdout,
): (s: string) => void {
  let gone = false;
  stream.on('error', (err: NodeJS.ErrnoException) => {
    if (err.code !== 'EPIPE') throw err;
    gone = true;
    stream.destroy();
  });
  return (s) => {
    if (!gone && !stream.destroyed) stream.write(s);
  };
}

/**
 * `sluice usage`: recorded requests (or their totals by day, model, provider or client) as a table,
 * JSON or CSV. The CSV of totals is the one the UI exports. Returns the exit code.
 */
export function runUsageCommand(argv: string[], out: (s: string) => void): number {
  const { values } = parseArgs({
    args: argv,
    options: {
      since: { type: 'string' },
      until: { type: 'string' },
      json: { type: 'boolean', default: false },
      csv: { type: 'boolean', default: false },
      'group-by': { type: 'string' },
      utc: { type: 'boolean', default: false },
      limit: { type: 'string' },
      'data-dir': { type: 'string' },
    },
    strict: true,
  });
  if (values.json && values.csv) throw new Error('choose one of --json and --csv');
  const format: Format = values.json ? 'json' : values.csv ? 'csv' : 'table';
  const group = parseGroup(values['group-by']);
  const dataDir = path.resolve(values['data-dir'] ?? defaultDataDir());
  const file = path.join(dataDir, 'sluice.db');
  if (!fs.existsSync(file))
    throw new Error(`no Sluice database at ${file} (run \`npm run serve\` first, or pass --data-dir)`);
  const sinceMs = parseTime('since', values.since);
  const untilMs = parseTime('until', values.until);
  const limit = values.limit === undefined ? undefined : Number(values.limit);
  if (limit !== undefined && (!Number.isInteger(limit) || limit < 0))
    throw new Error(`--limit must be a whole number, got "${values.limit}"`);
  const range: RequestFilter = {
    ...(sinceMs === undefined ? {} : { sinceMs }),
    ...(untilMs === undefined ? {} : { untilMs }),
  };
  const db = openDatabase(file);
  try {
    const q: UsageQueries = createUsageQueries(db);
    if (group !== undefined)
      writeSummary(q.summarize(summaryQuery(group, range, values.utc)), group, format, out);
    else
      writeRows(
        limit === undefined ? q.iterateRequests(range) : q.listRequests({ ...range, limit }),
        format,
        out,
      );
  } finally {
    closeDatabase(db);
  }
  return 0;
}
