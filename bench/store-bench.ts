import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { monitorEventLoopDelay, performance } from 'node:perf_hooks';
import { BUILTIN_PRICES } from '../src/shared/builtin-prices';
import { DEFAULT_SETTINGS } from '../src/shared/settings';
import { Checkpointer } from '../src/main/store/write/checkpointer';
import { closeDatabase, openDatabase, type Database } from '../src/main/store/schema/db';
import { createPricingRepo } from '../src/main/store/write/pricing-repo';
import { runRetention } from '../src/main/store/write/retention';
import { createRollupRepo } from '../src/main/store/write/rollup-repo';
import { createUsageQueries } from '../src/main/store/read/usage-queries';
import { UsageWriter } from '../src/main/store/write/usage-writer';
import { bulkLoad, lifecycle, rng, type Lifecycle } from './store-bench-data';
import { dashboards, pages, time } from './store-bench-queries';

/*
 * `npm run bench:store`: figures for the usage store. Writer throughput and the longest event-loop
 * block during a 1 000-request burst; a 1 000 000-row file (30 days) for the dashboard and
 * request-list queries; file size per 100 000 requests with and without captures; retention.
 */

const ROWS = Number(process.env.BENCH_STORE_ROWS ?? 1_000_000);
const WRITER_REQUESTS = 20_000;
const CAPTURE_REQUESTS = 10_000;
const FRAMES_PER_REQUEST = 40;
const DAY = 86_400_000;

const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'sluice-store-bench-'));
const started = performance.now();
const lines: string[] = [];
const progress = (line: string): void => {
  process.stderr.write(`store-bench [${((performance.now() - started) / 1e3).toFixed(0)} s] ${line}\n`);
};
const out = (line = ''): void => {
  lines.push(line);
};

function freshDb(name: string): Database {
  const db = openDatabase(path.join(dir, name));
  createPricingRepo(db).syncBuiltins(BUILTIN_PRICES);
  return db;
}

function fileBytes(db: Database): number {
  db.pragma('wal_checkpoint(TRUNCATE)');
  return fs.statSync(db.name).size;
}

function enqueue(w: UsageWriter, l: Lifecycle): void {
  w.requestStarted(l.start);
  w.requestStreaming(l.start.requestId);
  w.attemptFinished(l.attempt);
  w.requestFinished(l.finish);
}

const ANTHROPIC_DELTA = Buffer.from(
  'event: content_block_delta\ndata: {"type":"content_block_delta","index":0,"delta":{"type":"text_delta","text":"Sure — here is the next part of the answer, streamed."}}\n\n',
);

/** Writes `count` requests through the writer; returns µs per request (flushing every 1 000 like a busy hour would). */
function writeThrough(w: UsageWriter, count: number, from: number, frames = 0): number {
  const r = rng(42);
  const t = performance.now();
  for (let i = 0; i < count; i++) {
    const l = lifecycle(r, from + i * 1000);
    enqueue(w, l);
    for (let f = 0; f < frames; f++)
      w.responseBytes(l.start.requestId, 1, 'sse', 300 + f * 20, ANTHROPIC_DELTA, 1);
    if (i % 1000 === 999) w.flush();
  }
  w.flush();
  return ((performance.now() - t) * 1000) / count;
}

async function burst(
  w: UsageWriter,
): Promise<{ maxBlockMs: number; drainMs: number; longestTickMs: number; ticks: number }> {
  const r = rng(7);
  const h = monitorEventLoopDelay({ resolution: 1 });
  h.enable();
  const before = w.writeStats.transactions;
  const t = performance.now();
  for (let i = 0; i < 1000; i++) {
    const l = lifecycle(r, Date.now());
    w.requestStarted(l.start);
    w.requestStreaming(l.start.requestId);
    // Captures are on by default: each request brings its frames along.
    for (let f = 0; f < FRAMES_PER_REQUEST; f++)
      w.responseBytes(l.start.requestId, 1, 'sse', 300 + f * 20, ANTHROPIC_DELTA, 1);
    w.attemptFinished(l.attempt);
    w.requestFinished(l.finish);
  }
  while (w.pending > 0 || w.pendingCaptureBytes > 0) await new Promise((resolve) => setTimeout(resolve, 1));
  const drainMs = performance.now() - t;
  h.disable();
  const stats = w.writeStats;
  return {
    maxBlockMs: h.max / 1e6,
    drainMs,
    longestTickMs: stats.longestTimerMs,
    ticks: stats.transactions - before,
  };
}

async function main(): Promise<void> {
  out('# Usage store');
  out();
  const load = os.loadavg()[0]!.toFixed(1);
  out(
    `${os.cpus().length} × ${os.cpus()[0]?.model ?? 'cpu'}, Node ${process.version}, load average at start ${load}.`,
  );
  out('Wall times include waiting for the CPU when the machine is busy; CPU ms is this process alone.');
  out();

  progress(`writer: ${WRITER_REQUESTS} requests`);
  const wdb = freshDb('writer.db');
  // As in the app: WAL checkpoints run in a worker, not inside the writer's commits.
  const checkpointer = new Checkpointer(wdb, { onError: progress });
  const writer = new UsageWriter(wdb);
  const perRequestUs = writeThrough(writer, WRITER_REQUESTS, Date.now() - DAY);
  const b = await burst(writer);
  writer.close();
  await checkpointer.stop();
  out('| writer | figure |');
  out('|---|---:|');
  out(
    `| sustained insert rate (start + attempt + finish, priced, rolled up) | ${Math.round(1e6 / perRequestUs)} requests/s (${perRequestUs.toFixed(0)} µs each) |`,
  );
  out(
    `| burst of 1 000 finished requests with ${FRAMES_PER_REQUEST} frames each: transactions (8 ms budget each) | ${b.ticks} |`,
  );
  out(`| … longest of them (wall clock, CPU waits included) | ${b.longestTickMs.toFixed(1)} ms |`);
  out(`| … longest event-loop delay seen meanwhile | ${b.maxBlockMs.toFixed(1)} ms |`);
  out(`| … all written after | ${b.drainMs.toFixed(0)} ms |`);
  closeDatabase(wdb);

  progress(`captures: ${CAPTURE_REQUESTS} requests with and without ${FRAMES_PER_REQUEST} frames each`);
  const bare = freshDb('bare.db');
  const bareEmpty = fileBytes(bare);
  const bareWriter = new UsageWriter(bare, {
    capture: () => ({ ...DEFAULT_SETTINGS, captureFrames: false }),
  });
  writeThrough(bareWriter, CAPTURE_REQUESTS, Date.now() - DAY);
  bareWriter.close();
  const capDb = freshDb('captures.db');
  const capWriter = new UsageWriter(capDb);
  const capUs = writeThrough(capWriter, CAPTURE_REQUESTS, Date.now() - DAY, FRAMES_PER_REQUEST);
  capWriter.close();
  const capQueries = createUsageQueries(capDb);
  const captured = capQueries.pageRequests({ limit: 1 }).rows[0]!.requestId;
  const inspector = time(() => capQueries.getRequest(captured));
  const scale = 100_000 / CAPTURE_REQUESTS;
  const mb = (n: number): string => `${(n / 1024 / 1024).toFixed(1)} MB`;
  const bareBytes = (fileBytes(bare) - bareEmpty) * scale;
  const capBytes = (fileBytes(capDb) - bareEmpty) * scale;
  closeDatabase(bare);
  closeDatabase(capDb);

  progress(`bulk load: ${ROWS} rows over 30 days`);
  const db = freshDb('million.db');
  const now = Date.now();
  let t = performance.now();
  bulkLoad(db, ROWS, now - 30 * DAY, now);
  const hours = createRollupRepo(db).rebuild();
  db.pragma('optimize');
  const loadS = (performance.now() - t) / 1e3;
  const millionBytes = fileBytes(db);
  out(
    `| ${CAPTURE_REQUESTS} requests with ${FRAMES_PER_REQUEST} frames each (${ANTHROPIC_DELTA.length} B) through the writer | ${Math.round(1e6 / capUs)} requests/s |`,
  );
  out();
  out('| database size per 100 000 requests | |');
  out('|---|---:|');
  out(
    `| without captures (${(ROWS / 1e6).toFixed(1)} M-row bulk-loaded file / ${ROWS / 100_000}, ascending ids: a lower bound) | ${mb((millionBytes * 100_000) / ROWS)} |`,
  );
  out(`| without captures (through the writer, ${CAPTURE_REQUESTS} × ${scale}) | ${mb(bareBytes)} |`);
  out(
    `| with ${FRAMES_PER_REQUEST} frames captured each (${CAPTURE_REQUESTS} × ${scale}) | ${mb(capBytes)} |`,
  );
  out();
  out(
    `Bulk load of ${ROWS} rows and ${hours} rollup rows (hour × dimension value): ${loadS.toFixed(1)} s; ` +
      `load average now ${os.loadavg()[0]!.toFixed(1)}.`,
  );
  out();

  progress('queries');
  const q = createUsageQueries(db);
  dashboards(q, now, ROWS, out);
  pages(q, inspector, ROWS, FRAMES_PER_REQUEST, out);

  progress('retention: the oldest 3 of 30 days');
  const batches: number[] = [];
  let last = performance.now();
  t = performance.now();
  const gone = await runRetention(
    db,
    { retentionDays: 27, captureRetentionDays: 14 },
    {
      pause: () => {
        batches.push(performance.now() - last);
        return new Promise((resolve) =>
          setImmediate(() => {
            last = performance.now();
            resolve();
          }),
        );
      },
    },
  );
  out();
  out(
    `Retention deleted ${gone.requests} rows in ${((performance.now() - t) / 1e3).toFixed(1)} s, ` +
      `${batches.length + 1} batches of ≤ 1 000 rows sized to ~20 ms each, longest ${Math.max(0, ...batches).toFixed(1)} ms.`,
  );
  closeDatabase(db);
  fs.rmSync(dir, { recursive: true, force: true });
  process.stdout.write(`${lines.join('\n')}\n`);
  progress('done');
}

main().catch((err: unknown) => {
  process.stderr.write(`store-bench: ${err instanceof Error ? (err.stack ?? err.message) : String(err)}\n`);
  fs.rmSync(dir, { recursive: true, force: true });
  process.exitCode = 1;
});
