import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { performance } from 'node:perf_hooks';
import { setTimeout as sleep } from 'node:timers/promises';
import { runBare } from './bare-proxy';
import { Children, servedNodeFlags, type Server } from './children';
import { runFormat, FLAT, phaseLabels, useMode, type Bench, type Path } from './format-run';
import { runUpstream } from './fake-upstream';
import { NGINX_BIN, NGINX_WORKERS } from './nginx';
import { cpuRound } from './phases';
import { machineTicks, rssKb, stealPercent, type MachineTicks } from './proc-stats';
import { formatJson, renderFormat } from './report';
import { SMOOTH_MODE, SMOOTH_NAMES, SMOOTH_SETTINGS, renderSmooth, smoothPhase } from './smooth-phase';
import { renderUi, uiPhase, type UiFigures } from './ui-phase';
import type { FormatResults } from './figures';
import { median, percentile } from './stats';
import type { Wire } from './wire-scripts';

/*
 * `npm run bench`: one fake upstream (OpenAI Chat and Anthropic Messages), and per format nginx, the
 * plain Node passthrough and Sluice each in its own process(es), the load generator here. The same
 * bundle is forked with a role argument for the upstream and the passthrough.
 */

/** The whole run stops after this: 15 minutes is the budget, this is the fuse. */
const WATCHDOG_MS = 1_500_000;
/** `BENCH_PHASES=ttfb,flat npm run bench` runs only those (while working on one figure). */
const PHASES = new Set(
  (process.env.BENCH_PHASES ?? 'rss,burst,ttfb,flat,fixed,ui,smooth').split(',').map((s) => s.trim()),
);
/**
 * `BENCH_FORMATS=openai` (or `anthropic`) measures one format. `translated` adds an Anthropic client
 * through a Chat provider to the OpenAI run; `naive` adds the passthrough with a naive observer to its
 * CPU rounds.
 */
const FORMATS = new Set(
  (process.env.BENCH_FORMATS ?? 'openai,anthropic,translated').split(',').map((s) => s.trim()),
);
const WIRES: Wire[] = [
  ...(FORMATS.has('openai') ? (['chat'] as const) : []),
  ...(FORMATS.has('anthropic') ? (['anthropic'] as const) : []),
];
/** The Live view watches this many flat-out rounds through Sluice. */
const UI_ROUNDS = 3;

const started = performance.now();
function progress(line: string): void {
  process.stderr.write(`bench [${((performance.now() - started) / 1e3).toFixed(0)} s] ${line}\n`);
}

function loadAvg(): string {
  return os
    .loadavg()
    .map((l) => l.toFixed(2))
    .join(' ');
}

const ZERO: MachineTicks = { total: 0, steal: 0 };

/** Sluice's one provider for a format, pointing at the fake upstream as a user's config would. */
function providerFor(wire: Wire, upstreamPort: number): Record<string, unknown> {
  return wire === 'chat'
    ? { kind: 'openai', baseUrl: `http://127.0.0.1:${upstreamPort}/v1` }
    : { kind: 'anthropic', baseUrl: `http://127.0.0.1:${upstreamPort}` };
}

const SLUICE_SETTINGS = JSON.parse(process.env.BENCH_SLUICE_SETTINGS ?? '{}') as Record<string, unknown>;

interface FormatOutcome {
  results: FormatResults;
  ui: UiFigures | string | null;
  notes: string[];
}

/** What Sluice says on every start and stop of the bench's config: not worth a note. */
const EXPECTED_STDERR = [
  /SIGTERM, finishing in-flight/,
  /no \S+ provider configured: serving those from .* with your tools' own credentials/,
];

/** Stops Sluice and says how it left: it must exit on SIGTERM, promptly, and say nothing alarming. */
async function stopSluice(children: Children, s: Server, label: string, notes: string[]): Promise<void> {
  const stop = await children.stop(s);
  notes.push(`${label} shutdown on SIGTERM: ${stop.how} after ${stop.ms} ms.`);
  const said = s.stderr.filter((l) => l.trim() !== '' && !EXPECTED_STDERR.some((re) => re.test(l)));
  if (said.length > 0) notes.push(`${label} stderr:\n    ${said.join('\n    ')}`);
}

/** Starts the relays for one format, runs its phases, stops them. */
async function oneFormat(b: Bench, wire: Wire, idle: { mb: number }): Promise<FormatOutcome> {
  const { children, upstream } = b;
  const notes: string[] = [];
  const nginx = await children.startNginx(upstream.port);
  if (nginx === null)
    notes.push(
      `nginx: skipped, not installed at ${NGINX_BIN} (Debian: apt-get install nginx-light); no goal is claimed.`,
    );
  const passthrough = await children.forkRole('bare', [String(upstream.port)]);
  const sluice = await children.spawnSluice(upstream.port, SLUICE_SETTINGS, providerFor(wire, upstream.port));
  // Idle: started, nothing asked of it yet, its start-up work settled.
  await sleep(1_000);
  if (Number.isNaN(idle.mb)) idle.mb = rssKb(sluice.pid) / 1024;
  const paths: Path[] = [
    { target: { name: 'direct', port: upstream.port, wire }, server: null },
    ...(nginx === null
      ? []
      : [{ target: { name: 'nginx' as const, port: nginx.port, wire }, server: nginx }]),
    { target: { name: 'passthrough', port: passthrough.port, wire }, server: passthrough },
    { target: { name: 'sluice', port: sluice.port, wire }, server: sluice },
  ];
  // The translated path: a second gateway whose Chat provider maps every model (`"*"`) and so serves
  // Anthropic clients by translation; its own process, so its CPU is read apart from the relay's.
  const translating =
    wire === 'chat' && FORMATS.has('translated')
      ? await children.spawnSluice(upstream.port, SLUICE_SETTINGS, { models: { '*': 'm' } })
      : null;
  if (translating !== null)
    paths.push({
      target: { name: 'anthropic→chat', port: translating.port, wire, anthropic: true },
      server: translating,
    });
  const naive =
    wire === 'chat' && FORMATS.has('naive')
      ? await children.forkRole('naive', [String(upstream.port)])
      : null;
  if (naive !== null) paths.push({ target: { name: 'naive', port: naive.port, wire }, server: naive });
  progress(
    `${wire}: upstream :${upstream.port}, ${paths.map((p) => `${p.target.name} :${p.target.port}`).join(', ')} (load avg ${loadAvg()})`,
  );

  const results = await runFormat(b, wire, paths);

  let ui: UiFigures | string | null = null;
  if (wire === 'chat' && PHASES.has('ui')) {
    progress(`Live view in Chromium: ${UI_ROUNDS} flat-out rounds of ${FLAT.streams} streams through Sluice`);
    const expected = await useMode(b, FLAT.mode, wire);
    const target = paths.find((p) => p.target.name === 'sluice')!.target;
    ui = await uiPhase(sluice.dashboardUrl, sluice.pid, async () => {
      for (let i = 0; i < UI_ROUNDS; i++)
        await cpuRound(target, sluice.pids, FLAT.streams, FLAT.mode.events, expected);
    });
  }

  await stopSluice(children, sluice, `Sluice (${wire})`, notes);
  if (translating !== null) await stopSluice(children, translating, 'Sluice (anthropic→chat)', notes);
  for (const s of [nginx, passthrough, naive]) if (s !== null) await children.stop(s);
  return { results, ui, notes };
}

async function run(children: Children, json: string): Promise<string> {
  const ticks0 = machineTicks();
  const loadStart = loadAvg();
  const header = [
    `## Sluice bench — Node ${process.version}, ${os.cpus().length} CPUs, ${new Date().toISOString()}`,
    '',
    `Load average at the start ${loadStart}; steal since boot ${stealPercent(ZERO, ticks0).toFixed(1)} %. ` +
      `nginx: ${NGINX_WORKERS} worker(s) (one event loop, like each Node relay; BENCH_NGINX_WORKERS=auto for nginx's own choice).`,
  ];
  const upstream = await children.forkRole('upstream');
  const b: Bench = { children, upstream, phases: PHASES, progress };
  const idle = { mb: NaN };
  const sections: string[] = [];
  const formats: Record<string, unknown>[] = [];
  let ui: UiFigures | string | null = null;
  const notes: string[] = [];
  const smoothing: Record<string, unknown> = {};
  for (const wire of WIRES) {
    const out = await oneFormat(b, wire, idle);
    sections.push(renderFormat(out.results));
    formats.push(formatJson(out.results));
    ui ??= out.ui;
    notes.push(...out.notes);
  }
  const uiStreams = `${UI_ROUNDS} rounds of ${FLAT.streams} streams × ${FLAT.mode.events} frames flat out`;
  const uiSkipped = !PHASES.has('ui')
    ? 'not run (BENCH_PHASES has no `ui`)'
    : !WIRES.includes('chat')
      ? 'not run (it watches the OpenAI run; BENCH_FORMATS has no `openai`)'
      : 'no figures';
  if (WIRES.length > 0) sections.push(renderUi(ui ?? uiSkipped, idle.mb, uiStreams));

  // Smoothing: three more Sluice processes (off, fixed, adaptive) on the same upstream, stopped after.
  if (PHASES.has('smooth')) {
    const smoothers = [];
    for (const name of SMOOTH_NAMES) {
      const server = await children.spawnSluice(upstream.port, SMOOTH_SETTINGS[name]);
      smoothers.push({ name, port: server.port, pid: server.pid, server });
    }
    await children.setMode(upstream, SMOOTH_MODE);
    const alive = (): void => {
      const death = children.deaths();
      if (death !== null) throw new Error(death);
    };
    const figs = await smoothPhase(smoothers, progress, alive);
    sections.push(renderSmooth(figs));
    // The summary figures only: the pooled gaps are thousands of numbers.
    for (const [name, f] of figs) {
      const p50 = (v: number[]): number => percentile(v, 50);
      smoothing[name] = {
        ttlbP50Ms: p50(f.ttlbMs),
        gapP50Ms: p50(f.gapsMs),
        gapP95Ms: percentile(f.gapsMs, 95),
        cpuUsPerUpstreamEvent: median(f.cpuUsPerUpstream),
        failed: f.failed,
        streams: f.streams,
      };
    }
    for (const s of smoothers) await stopSluice(children, s.server, `Sluice (smoothing ${s.name})`, notes);
  }
  await children.stop(upstream);

  const ticks1 = machineTicks();
  const footer = [
    `Load average at the end ${loadAvg()}; steal over the run ${stealPercent(ticks0, ticks1).toFixed(1)} % ` +
      `(above ${os.cpus().length}, other processes competed for the cores). Figures from a shared machine are noisy: compare within a run.`,
    `Sluice ran as \`npm run serve\` starts it (node ${servedNodeFlags().join(' ')} cli.js serve, default settings` +
      `${Object.keys(SLUICE_SETTINGS).length > 0 ? ` plus ${JSON.stringify(SLUICE_SETTINGS)}` : ''}); the passthrough with Node's defaults.`,
    phaseLabels(),
    // Once each: a missing nginx is said by every format's run.
    ...new Set(notes),
    `JSON: ${json}`,
  ];
  fs.mkdirSync(path.dirname(json), { recursive: true });
  fs.writeFileSync(
    json,
    JSON.stringify(
      {
        startedAt: new Date(Date.now() - (performance.now() - started)).toISOString(),
        node: process.version,
        cpus: os.cpus().length,
        loadAvg: { start: loadStart, end: loadAvg() },
        stealPercent: { sinceBootAtStart: stealPercent(ZERO, ticks0), overRun: stealPercent(ticks0, ticks1) },
        nginxWorkers: NGINX_WORKERS,
        formats,
        app: { gatewayIdleRssMb: idle.mb, ui },
        smoothing,
      },
      (_k, v: unknown) => (typeof v === 'number' && !Number.isFinite(v) ? null : v),
      2,
    ),
  );
  return [...header, '', ...sections.flatMap((s) => [s, '']), ...footer].join('\n');
}

/** `--json <file>` or `BENCH_JSON=<file>` (npm run bench's way), else a file under the temp dir. */
function jsonPath(): string {
  const i = process.argv.indexOf('--json');
  if (i !== -1 && process.argv[i + 1] !== undefined) return path.resolve(process.argv[i + 1]!);
  if (process.env.BENCH_JSON !== undefined && process.env.BENCH_JSON !== '')
    return path.resolve(process.env.BENCH_JSON);
  const stamp = new Date().toISOString().replace(/[:.]/g, '-');
  return path.join(os.tmpdir(), 'sluice-bench', `bench-${stamp}.json`);
}

async function main(): Promise<number> {
  const children = new Children();
  process.on('exit', () => children.killAllNow());
  for (const signal of ['SIGINT', 'SIGTERM'] as const) {
    process.on(signal, () => {
      children.killAllNow();
      process.exit(130);
    });
  }
  const watchdog = setTimeout(() => {
    process.stderr.write(`bench: still running after ${WATCHDOG_MS / 1e3} s, giving up\n`);
    children.killAllNow();
    process.exit(1);
  }, WATCHDOG_MS);
  watchdog.unref();
  try {
    const report = await run(children, jsonPath());
    process.stdout.write(`${report}\n`);
    progress('done');
    return 0;
  } catch (err) {
    process.stderr.write(`bench failed: ${err instanceof Error ? err.message : String(err)}\n`);
    return 1;
  } finally {
    children.killAllNow();
  }
}

const role = process.argv[2];
if (role === 'upstream') runUpstream();
else if (role === 'bare') runBare(Number(process.argv[3]));
else if (role === 'naive') runBare(Number(process.argv[3]), true);
else {
  void main().then((code) => {
    process.exitCode = code;
  });
}
