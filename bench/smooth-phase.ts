import http from 'node:http';
import { performance } from 'node:perf_hooks';
import { StringDecoder } from 'node:string_decoder';
import { setTimeout as sleep } from 'node:timers/promises';
import { newAgent } from './client';
import { cpuNs } from './proc-stats';
import { makeEvents, REQUEST_BODY, tailFrames, type StreamMode } from './sse-script';
import { median, percentile } from './stats';

/*
 * The `smooth` phase: the same bursty upstream through three Sluice processes — smoothing off, fixed,
 * adaptive — measuring what re-pacing costs (time to last byte, CPU) and what it buys (steadier gaps).
 */

export type SmoothName = 'off' | 'fixed' | 'adaptive';
export const SMOOTH_NAMES: readonly SmoothName[] = ['off', 'fixed', 'adaptive'];

/** The `settings.smoothing` each Sluice child runs with (the rest of the knobs at their defaults, spelled out). */
export const SMOOTH_SETTINGS: Record<SmoothName, Record<string, unknown>> = {
  off: { smoothing: { enabled: false } },
  fixed: { smoothing: { enabled: true, mode: 'fixed', chunkChars: 20, delayMs: 8, maxLagMs: 250 } },
  adaptive: { smoothing: { enabled: true, mode: 'adaptive', chunkChars: 20, delayMs: 8, maxLagMs: 250 } },
};

const WORDS = 'The quick brown fox jumps over the lazy dog while the model keeps on writing its answer. ';
/** ~120 characters of plain text per delta: the burst a fast model sends per chunk. */
export const SMOOTH_TEXT = WORDS.repeat(2).slice(0, 120);

export const SMOOTH = {
  deltas: 20,
  intervalMs: 60,
  /** Sequential streams per path for time to last byte and jitter, after `warmup` each. */
  streams: 30,
  warmup: 3,
  /** Concurrent streams per CPU round; `rounds` measured rounds after a warm-up round. */
  concurrent: 8,
  rounds: 3,
};

export const SMOOTH_MODE: StreamMode = {
  events: SMOOTH.deltas + 3,
  intervalMs: SMOOTH.intervalMs,
  text: SMOOTH_TEXT,
};

export interface SmoothTarget {
  name: SmoothName;
  port: number;
  pid: number;
}

interface TimedStream {
  /** Request sent → last body byte, ms. */
  ttlbMs: number;
  /** When each complete SSE event arrived (performance.now()), in order. */
  eventTimes: number[];
  error: string | null;
}

export interface SmoothFigures {
  ttlbMs: number[];
  /** Gaps between consecutive received events, ms, pooled over the sequential streams. */
  gapsMs: number[];
  /** Events received per stream (sequential streams). */
  eventsPerStream: number[];
  /** One per CPU round: proxy CPU µs / events the clients received. */
  cpuUsPerReceived: number[];
  /** One per CPU round: proxy CPU µs / events the upstream sent. */
  cpuUsPerUpstream: number[];
  streams: number;
  failed: number;
  first: string | null;
}

/** The body must carry all the text, in order, and end with the upstream's tail; smoothing off must be byte-exact. */
function checkStream(body: Buffer, events: readonly string[], exact: Buffer | null): string | null {
  if (exact !== null && !body.equals(exact)) {
    return `smoothing off but bytes differ from upstream's (${body.length} vs ${exact.length} bytes)`;
  }
  let content = '';
  for (const ev of events) {
    if (!ev.startsWith('data: ')) continue;
    const data = ev.slice(6);
    if (data === '[DONE]') continue;
    try {
      const j = JSON.parse(data) as { choices?: { delta?: { content?: unknown } }[] };
      const c = j.choices?.[0]?.delta?.content;
      if (typeof c === 'string') content += c;
    } catch {
      return `event is no JSON: ${JSON.stringify(ev.slice(0, 100))}`;
    }
  }
  const want = SMOOTH_TEXT.repeat(SMOOTH.deltas);
  if (content !== want) return `text differs: got ${content.length} chars, expected ${want.length}`;
  const tail = tailFrames(SMOOTH.deltas).map((f) => f.toString('utf8').replace(/\n\n$/, ''));
  const got = events.slice(-tail.length);
  if (got.join('\n\n') !== tail.join('\n\n'))
    return `tail differs: ${JSON.stringify(got.join(' | ').slice(0, 200))}`;
  return null;
}

/** One streaming Chat request, timing each complete SSE event as it arrives. */
function timedStream(
  port: number,
  agent: http.Agent,
  exact: Buffer | null,
  timeoutMs: number,
): Promise<TimedStream> {
  const body = Buffer.from(REQUEST_BODY);
  return new Promise((resolve) => {
    const eventTimes: number[] = [];
    const events: string[] = [];
    const parts: Buffer[] = [];
    const decoder = new StringDecoder('utf8');
    let pending = '';
    let sent = 0;
    let last = NaN;
    let settled = false;
    const finish = (error: string | null): void => {
      if (settled) return;
      settled = true;
      clearTimeout(timer);
      resolve({ ttlbMs: last - sent, eventTimes, error });
    };
    const req = http.request(
      {
        host: '127.0.0.1',
        port,
        method: 'POST',
        path: '/v1/chat/completions',
        agent,
        headers: {
          'content-type': 'application/json',
          'content-length': body.length,
          authorization: 'Bearer sk-bench',
        },
      },
      (res) => {
        if (res.statusCode !== 200) {
          res.on('data', (c: Buffer) => parts.push(c));
          res.on('end', () =>
            finish(`HTTP ${res.statusCode ?? '?'}: ${Buffer.concat(parts).toString('utf8', 0, 300)}`),
          );
          return;
        }
        res.on('data', (chunk: Buffer) => {
          const now = performance.now();
          last = now;
          parts.push(chunk);
          pending += decoder.write(chunk);
          let at: number;
          while ((at = pending.indexOf('\n\n')) >= 0) {
            events.push(pending.slice(0, at));
            eventTimes.push(now);
            pending = pending.slice(at + 2);
          }
        });
        res.on('end', () => {
          if (pending !== '') finish(`unterminated last event: ${JSON.stringify(pending.slice(0, 100))}`);
          else finish(checkStream(Buffer.concat(parts), events, exact));
        });
        res.on('close', () => {
          if (!res.complete) finish('connection closed before the end');
        });
      },
    );
    req.on('error', (err) => finish(`request error: ${err.message}`));
    const timer = setTimeout(
      () => req.destroy(new Error(`no complete stream within ${timeoutMs} ms`)),
      timeoutMs,
    );
    sent = performance.now();
    req.end(body);
  });
}

function gapsOf(times: readonly number[]): number[] {
  const out: number[] = [];
  for (let i = 1; i < times.length; i++) out.push(times[i]! - times[i - 1]!);
  return out;
}

function record(fig: SmoothFigures, r: TimedStream): void {
  fig.streams++;
  if (r.error === null) return;
  fig.failed++;
  fig.first ??= r.error;
}

/**
 * Sequential streams taken in turn (rotating who goes first) for time to last byte and gaps, then
 * rounds of `concurrent` streams per path, in turn, for CPU per event. Each Sluice idles while the
 * others are measured, so its CPU over a round is its own streams'.
 */
export async function smoothPhase(
  targets: readonly SmoothTarget[],
  progress: (line: string) => void,
  alive: () => void,
): Promise<Map<SmoothName, SmoothFigures>> {
  const upstreamBytes = Buffer.concat(makeEvents(SMOOTH_MODE.events, SMOOTH_TEXT));
  const exact = (t: SmoothTarget): Buffer | null => (t.name === 'off' ? upstreamBytes : null);
  const timeoutMs = SMOOTH_MODE.events * SMOOTH.intervalMs + 30_000;
  const out = new Map<SmoothName, SmoothFigures>(
    targets.map((t) => [
      t.name,
      {
        ttlbMs: [],
        gapsMs: [],
        eventsPerStream: [],
        cpuUsPerReceived: [],
        cpuUsPerUpstream: [],
        streams: 0,
        failed: 0,
        first: null,
      },
    ]),
  );
  const agents = new Map(targets.map((t) => [t.name, newAgent()]));
  progress(
    `smoothing: ${SMOOTH.streams} sequential streams per path (${SMOOTH.deltas} deltas × ${SMOOTH_TEXT.length} chars, 1 per ${SMOOTH.intervalMs} ms)`,
  );
  for (let i = -SMOOTH.warmup; i < SMOOTH.streams; i++) {
    for (let k = 0; k < targets.length; k++) {
      const t = targets[(k + i + SMOOTH.warmup) % targets.length]!;
      const r = await timedStream(t.port, agents.get(t.name)!, exact(t), timeoutMs);
      if (i < 0) continue;
      const fig = out.get(t.name)!;
      record(fig, r);
      if (r.error !== null) continue;
      fig.ttlbMs.push(r.ttlbMs);
      fig.gapsMs.push(...gapsOf(r.eventTimes));
      fig.eventsPerStream.push(r.eventTimes.length);
    }
    alive();
  }
  for (const a of agents.values()) a.destroy();

  progress(`smoothing CPU: ${SMOOTH.rounds} rounds × ${SMOOTH.concurrent} concurrent streams per path`);
  for (let i = -1; i < SMOOTH.rounds; i++) {
    for (const t of targets) {
      const agent = newAgent();
      const cpu0 = cpuNs(t.pid);
      const rs = await Promise.all(
        Array.from({ length: SMOOTH.concurrent }, () => timedStream(t.port, agent, exact(t), timeoutMs)),
      );
      // Work deferred past the last byte (usage writes, socket teardown) still belongs to the round.
      await sleep(200);
      const cpuUs = (cpuNs(t.pid) - cpu0) / 1e3;
      agent.destroy();
      if (i < 0) continue;
      const fig = out.get(t.name)!;
      for (const r of rs) record(fig, r);
      const received = rs.reduce((n, r) => n + r.eventTimes.length, 0);
      fig.cpuUsPerReceived.push(cpuUs / received);
      fig.cpuUsPerUpstream.push(cpuUs / (SMOOTH.concurrent * SMOOTH_MODE.events));
      alive();
    }
  }
  return out;
}

function stdev(values: readonly number[]): number {
  if (values.length < 2) return NaN;
  const mean = values.reduce((s, v) => s + v, 0) / values.length;
  return Math.sqrt(values.reduce((s, v) => s + (v - mean) ** 2, 0) / (values.length - 1));
}

const dash = '—';
const f2 = (v: number): string => (Number.isFinite(v) ? v.toFixed(2) : dash);
const f1 = (v: number): string => (Number.isFinite(v) ? v.toFixed(1) : dash);
const signed = (v: number): string => (Number.isFinite(v) ? `${v >= 0 ? '+' : ''}${v.toFixed(2)}` : dash);
const ratio = (v: number): string => (Number.isFinite(v) ? `${v.toFixed(2)}×` : dash);

/** The smoothing table: one row per mode, each compared with smoothing off from the same run. */
export function renderSmooth(figs: ReadonlyMap<SmoothName, SmoothFigures>): string {
  const get = (n: SmoothName): SmoothFigures | undefined => figs.get(n);
  const ttlb = (n: SmoothName): number => median(get(n)?.ttlbMs ?? []);
  const sd = (n: SmoothName): number => stdev(get(n)?.gapsMs ?? []);
  const p95 = (n: SmoothName): number => percentile(get(n)?.gapsMs ?? [], 95);
  const cpuRx = (n: SmoothName): number => median(get(n)?.cpuUsPerReceived ?? []);
  const cpuUp = (n: SmoothName): number => median(get(n)?.cpuUsPerUpstream ?? []);
  const lines = [
    `| smoothing | time to last byte p50 ms | added vs off ms | events/stream | gap p50 ms | jitter stdev ms | × off | gap p95 ms | CPU/received event | × off | CPU/upstream event | × off | errors |`,
    `|---|---|---|---|---|---|---|---|---|---|---|---|---|`,
  ];
  for (const n of SMOOTH_NAMES) {
    const f = get(n);
    if (f === undefined) continue;
    const vsOff = n === 'off';
    lines.push(
      `| ${n} | ${f2(ttlb(n))} | ${vsOff ? dash : signed(ttlb(n) - ttlb('off'))} | ${f1(median(f.eventsPerStream))} | ` +
        `${f2(median(f.gapsMs))} | ${f2(sd(n))} | ${vsOff ? dash : ratio(sd(n) / sd('off'))} | ${f2(p95(n))} | ` +
        `${f1(cpuRx(n))} µs | ${vsOff ? dash : ratio(cpuRx(n) / cpuRx('off'))} | ` +
        `${f1(cpuUp(n))} µs | ${vsOff ? dash : ratio(cpuUp(n) / cpuUp('off'))} | ${f.failed}/${f.streams} |`,
    );
  }
  const rounds = SMOOTH_NAMES.filter((n) => figs.has(n))
    .map((n) => `${n} ${(get(n)?.cpuUsPerUpstream ?? []).map((v) => v.toFixed(1)).join(', ')}`)
    .join('; ');
  lines.push(
    '',
    `Smoothing phase: three Sluice processes (off; fixed chunkChars 20, delayMs 8; adaptive chunkChars 20, maxLagMs 250) on one upstream sending ` +
      `${SMOOTH.deltas} Chat deltas of ${SMOOTH_TEXT.length} chars, 1 per ${SMOOTH.intervalMs} ms, then finish, usage, [DONE] (include_usage set; "off" checked byte-exact, the others for text and tail). ` +
      `Time to last byte and gaps: ${SMOOTH.streams} sequential streams per path taken in turn after ${SMOOTH.warmup} warm-up each; gaps between consecutive complete SSE events pooled over them (events in one read count as gap 0). ` +
      `CPU: median of ${SMOOTH.rounds} rounds × ${SMOOTH.concurrent} concurrent streams (after a warm-up round), all threads + 200 ms, / events received or / ${SMOOTH_MODE.events} upstream events per stream; rounds µs/upstream event: ${rounds}.`,
  );
  for (const n of SMOOTH_NAMES) {
    const first = get(n)?.first;
    if (first != null) lines.push(`First error with smoothing ${n}: ${first}`);
  }
  return lines.join('\n');
}
