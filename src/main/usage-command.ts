import { parseArgs } from 'node:util';
import fs from 'node:fs';
import path from 'node:path';
import { defaultDataDir } from './data-dir';
import { closeDatabase, openDatabase } from './store/db';
import { createRequestsRepo } from './store/requests-repo';
import { usageRowsToCsv } from '../shared/usage-format';

function parseTime(name: string, value: string | undefined): number | undefined {
  if (value === undefined) return undefined;
  const ms = Date.parse(value);
  if (Number.isNaN(ms)) throw new Error(`--${name} must be an ISO date/time, got "${value}"`);
  return ms;
}

/** `sluice usage`: prints recorded requests as a table, JSON or CSV. Returns the exit code. */
export function runUsageCommand(argv: string[], out: (s: string) => void): number {
  const { values } = parseArgs({
    args: argv,
    options: {
      since: { type: 'string' },
      until: { type: 'string' },
      json: { type: 'boolean', default: false },
      csv: { type: 'boolean', default: false },
      limit: { type: 'string' },
      'data-dir': { type: 'string' },
    },
    strict: true,
  });
  if (values.json && values.csv) throw new Error('choose one of --json and --csv');
  const dataDir = path.resolve(values['data-dir'] ?? defaultDataDir());
  const file = path.join(dataDir, 'sluice.db');
  if (!fs.existsSync(file))
    throw new Error(`no Sluice database at ${file} (run \`npm run serve\` first, or pass --data-dir)`);
  const sinceMs = parseTime('since', values.since);
  const untilMs = parseTime('until', values.until);
  const limit = values.limit === undefined ? 1_000_000 : Number(values.limit);
  const db = openDatabase(file);
  try {
    const rows = createRequestsRepo(db).listRequests({
      ...(sinceMs === undefined ? {} : { sinceMs }),
      ...(untilMs === undefined ? {} : { untilMs }),
      limit,
    });
    if (values.json) out(`${JSON.stringify(rows, null, 2)}\n`);
    else if (values.csv) out(usageRowsToCsv(rows));
    else {
      out(
        'started_at                client        format            model → provider                 status     ttfb   in/out\n',
      );
      for (const r of rows) {
        const route = `${r.model ?? '-'} → ${r.provider ?? '-'}`;
        out(
          `${r.startedAt.padEnd(25)} ${r.client.padEnd(13)} ${r.format.padEnd(17)} ${route.slice(0, 32).padEnd(32)} ${r.status.padEnd(10)} ${String(r.ttfbMs ?? '-').padStart(5)}  ${r.inputTokens ?? '-'}/${r.outputTokens ?? '-'}\n`,
        );
      }
      out(`${rows.length} request(s)\n`);
    }
  } finally {
    closeDatabase(db);
  }
  return 0;
}
