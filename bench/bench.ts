import { performance } from 'node:perf_hooks';
import os from 'node:os';
import { runBare } from './bare-proxy';
import { Children, servedNodeFlags, type Server } from './children';
import { newAgent, runMany, runStream, type PathName, type Target } from './client';
import { runUpstream } from './fake-upstream';
import { cpuRound, rssPhase, ttfbPhase, type CpuRound, type RssFigures, type TtfbFigures } from './phases';
import { renderReport } from './report';
import { SMOOTH_MODE, SMOOTH_NAMES, SMOOTH_SETTINGS, renderSmooth, smoothPhase } from './smooth-phase';
import { makeEvents, type StreamMode } from './sse-script';

/*
 * `npm run bench`: one fake upstream, the bare undici passthrough and Sluice each in its own process,
 * the load generator here. The same bundle is forked with a role argument for the first two.
 */

const TTFB = { requests: 200, warmup: 20, mode: { events: 8, intervalMs: 1 } };
/** BENCH_FLAT_EVENTS=500 (or 8000) splits the figure: per-request costs weigh 4× more (or less). */
const FLAT = {
  streams: 32,
  rounds: 5,
  mode: { events: Number(process.env.BENCH_FLAT_EVENTS ?? 2000), intervalMs: 0 },
};
const FIXED = { streams: 32, rounds: 5, mode: { events: 1500, intervalMs: 2 } };
/** A frame per 500 ms, held open until both halves have been sampled and ≥ 10 s have passed. */
const RSS = { streams: 500, minOpenMs: 10_000, mode: { events: 600, intervalMs: 500, hold: true } };
/** The smoothing phase alone takes ~2.5 min (30 × 3 streams of 1.3 s each, then the CPU rounds). */
const WATCHDOG_MS = 600_000;
/** `BENCH_PHASES=ttfb,flat npm run bench` runs only those (while working on one figure). */
const PHASES = new Set((process.env.BENCH_PHASES ?? 'rss,ttfb,flat,fixed,smooth').split(','));

const started = performance.now();
function progress(line: string): void {
  process.stderr.write(`bench [${((performance.now() - started) / 1e3).toFixed(0)} s] ${line}\n`);
}

function collectGarbage(): void {
  // Run with --expose-gc: the load generator's own GC then falls between phases, not inside them.
  (globalThis as { gc?: () => void }).gc?.();
}

interface Path {
  target: Target;
  /** The proxy's process; null for the direct path. */
  server: Server | null;
}

interface Bench {
  children: Children;
  upstream: Server;
}

async function useMode(b: Bench, mode: StreamMode): Promise<Buffer> {
  await b.children.setMode(b.upstream, mode);
  collectGarbage();
  return Buffer.concat(makeEvents(mode.events));
}

function alive(b: Bench): void {
  const death = b.children.deaths();
  if (death !== null) throw new Error(death);
}

/** One unmeasured round per path (JIT, pools), then `count` rounds taking the paths in turn, so drift of a shared machine hits all alike. */
async function cpuRounds(
  b: Bench,
  mode: StreamMode,
  streams: number,
  count: number,
  paths: readonly Path[],
): Promise<Map<PathName, CpuRound[]>> {
  const out = new Map<PathName, CpuRound[]>();
  if (count === 0) return out;
  const expected = await useMode(b, mode);
  for (let i = -1; i < count; i++) {
    for (const p of paths) {
      const round = await cpuRound(p.target, p.server?.pid ?? null, streams, mode.events, expected);
      if (i >= 0) out.set(p.target.name, [...(out.get(p.target.name) ?? []), round]);
      collectGarbage();
      alive(b);
    }
  }
  return out;
}

async function run(children: Children): Promise<string> {
  const upstream = await children.forkRole('upstream');
  const bare = await children.forkRole('bare', [String(upstream.port)]);
  const naive = await children.forkRole('naive', [String(upstream.port)]);
  // BENCH_SLUICE_SETTINGS='{"captureFrames":false}' measures Sluice with other settings than the defaults.
  const sluice = await children.spawnSluice(
    upstream.port,
    JSON.parse(process.env.BENCH_SLUICE_SETTINGS ?? '{}') as Record<string, unknown>,
  );
  // The translated path: a second gateway whose Chat provider maps every model (`"*"`) and so serves
  // Anthropic clients by translation. Its own process, so its CPU is read apart from the relay's, and
  // the relay's gateway keeps exactly the config it always had.
  const translating = await children.spawnSluice(
    upstream.port,
    JSON.parse(process.env.BENCH_SLUICE_SETTINGS ?? '{}') as Record<string, unknown>,
    { models: { '*': 'm' } },
  );
  const paths: Path[] = [
    { target: { name: 'direct', port: upstream.port }, server: null },
    { target: { name: 'bare', port: bare.port }, server: bare },
    { target: { name: 'sluice', port: sluice.port }, server: sluice },
    {
      target: { name: 'anthropic→chat', port: translating.port, anthropic: true },
      server: translating,
    },
  ];
  const proxies = paths.filter((p) => p.server !== null);
  // Memory is the relay's figure: the translated gateway is not put through the RSS phase.
  const rssProxies = proxies.filter((p) => p.target.anthropic !== true);
  // The naive relay is a reference for CPU only: the CPU rounds take it, the latency and memory phases do not.
  const cpuPaths: Path[] = [...proxies, { target: { name: 'naive', port: naive.port }, server: naive }];
  const b: Bench = { children, upstream };
  progress(
    `upstream :${upstream.port}, bare :${bare.port}, sluice :${sluice.port}, ` +
      `anthropic→chat :${translating.port} (load avg ${loadAvg()})`,
  );

  // Smoke + warm-up: a stream per path must arrive intact before any figure means anything.
  let expected = await useMode(b, TTFB.mode);
  for (const { target } of paths) {
    const agent = newAgent();
    const r = await runStream(target, agent, expected, 10_000);
    if (r.error !== null) throw new Error(`smoke test through ${target.name} failed: ${r.error}`);
    for (let i = 0; i < 3; i++) await runMany(target, agent, FLAT.streams, expected, { timeoutMs: 10_000 });
    agent.destroy();
  }

  // Memory first, while the proxies' heaps still hold only the warm-up.
  const rss = new Map<PathName, RssFigures>();
  for (const p of PHASES.has('rss') ? rssProxies : []) {
    progress(`RSS: ${RSS.streams} slow streams through ${p.target.name}`);
    // A fresh mode per proxy: the previous release must not end these streams at once.
    await useMode(b, RSS.mode);
    const release = (): void => children.release(upstream);
    const held = { maxContent: RSS.mode.events - 3 };
    rss.set(
      p.target.name,
      await rssPhase(p.target, p.server!.pid, RSS.streams, held, release, RSS.minOpenMs),
    );
    alive(b);
  }

  let ttfb = new Map<PathName, TtfbFigures>();
  if (PHASES.has('ttfb')) {
    progress(`TTFB: ${TTFB.requests} sequential streams per path`);
    expected = await useMode(b, TTFB.mode);
    const pids = new Map(proxies.map((p) => [p.target.name, p.server!.pid]));
    ttfb = await ttfbPhase(
      paths.map((p) => p.target),
      pids,
      TTFB.requests,
      TTFB.warmup,
      expected,
    );
    alive(b);
  }

  const flat = PHASES.has('flat') ? FLAT.rounds : 0;
  if (flat > 0) progress(`flat out: ${flat} rounds × ${FLAT.streams} streams × ${FLAT.mode.events} frames`);
  const saturated = await cpuRounds(b, FLAT.mode, FLAT.streams, flat, cpuPaths);
  const fix = PHASES.has('fixed') ? FIXED.rounds : 0;
  if (fix > 0)
    progress(`fixed load: ${fix} rounds × ${FIXED.streams} streams × 1 frame / ${FIXED.mode.intervalMs} ms`);
  const fixed = await cpuRounds(b, FIXED.mode, FIXED.streams, fix, cpuPaths);

  // Smoothing: three more Sluice processes (off, fixed, adaptive) on the same upstream, stopped after.
  let smooth = '';
  if (PHASES.has('smooth')) {
    const smoothers = [];
    for (const name of SMOOTH_NAMES) {
      const server = await children.spawnSluice(upstream.port, SMOOTH_SETTINGS[name]);
      smoothers.push({ name, port: server.port, pid: server.pid, server });
    }
    await children.setMode(upstream, SMOOTH_MODE);
    collectGarbage();
    smooth = renderSmooth(await smoothPhase(smoothers, progress, () => alive(b)));
    for (const s of smoothers) {
      await children.stop(s.server);
      const said = s.server.stderr.filter((l) => l.trim() !== '' && !/SIGTERM, finishing in-flight/.test(l));
      if (said.length > 0) smooth += `\nSluice (smoothing ${s.name}) stderr:\n    ${said.join('\n    ')}`;
    }
  }

  const report = renderReport({
    ttfb,
    saturated,
    fixed,
    rss,
    labels: {
      ttfb: `${TTFB.requests} sequential streams per path, taken in turn (${TTFB.mode.events} frames: the first at once, then 1 per ${TTFB.mode.intervalMs} ms); request sent → first body byte`,
      saturated: `${FLAT.streams} streams × ${FLAT.mode.events} frames, one write per frame, only backpressure slows the upstream; median of ${FLAT.rounds} rounds after a warm-up round`,
      fixed: `${FIXED.streams} streams × ${FIXED.mode.events} frames at 1 per ${FIXED.mode.intervalMs} ms (${(FIXED.mode.events * FIXED.mode.intervalMs) / 1e3} s); median of ${FIXED.rounds} rounds`,
      rss: `${RSS.streams} streams × 1 frame per ${RSS.mode.intervalMs} ms, opened in 2 halves (each level held ≥ 2 s), ended together after ≥ ${RSS.minOpenMs / 1e3} s`,
    },
  });

  // How the gateway leaves matters too: it must exit on SIGTERM, promptly, and say nothing alarming.
  const stop = await children.stop(sluice);
  const notes = [
    `Sluice shutdown on SIGTERM: ${stop.how} after ${stop.ms} ms. Load avg at the end: ${loadAvg()}.`,
    `Sluice ran as \`npm run serve\` starts it: node ${servedNodeFlags().join(' ')} cli.js serve (the bare proxy with Node's defaults).`,
  ];
  const said = sluice.stderr.filter((l) => l.trim() !== '' && !/SIGTERM, finishing in-flight/.test(l));
  if (said.length > 0) notes.push(`Sluice stderr:\n    ${said.join('\n    ')}`);
  await children.stop(translating);
  const saidX = translating.stderr.filter((l) => l.trim() !== '' && !/SIGTERM, finishing in-flight/.test(l));
  if (saidX.length > 0) notes.push(`Sluice (anthropic→chat) stderr:\n    ${saidX.join('\n    ')}`);
  await children.stop(bare);
  await children.stop(naive);
  await children.stop(upstream);
  return `${report}\n${smooth === '' ? '' : `\n${smooth}\n`}${notes.join('\n')}`;
}

function loadAvg(): string {
  return os
    .loadavg()
    .map((l) => l.toFixed(1))
    .join(' ');
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
    const header =
      `## Sluice bench — Node ${process.version}, ${os.cpus().length} CPUs, ${new Date().toISOString()}, ` +
      `load avg ${loadAvg()} at the start (above the CPU count, other processes competed for the cores)\n`;
    const report = await run(children);
    process.stdout.write(`${header}\n${report}\n`);
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
