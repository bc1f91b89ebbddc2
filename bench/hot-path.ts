import fs from 'node:fs';
import { IncomingMessage } from 'node:http';
import { Socket } from 'node:net';
import os from 'node:os';
import path from 'node:path';
import { performance } from 'node:perf_hooks';
import { DEFAULT_SETTINGS } from '../src/shared/settings';
import { adapterFor } from '../src/formats';
import { observeBody } from '../src/main/proxy/observe';
import {
  nullCaptureSink,
  nullLiveSink,
  nullUsageSink,
  systemClock,
  type CaptureSink,
  type UsageSink,
} from '../src/main/proxy/ports';
import { HealthBook } from '../src/main/proxy/health';
import { RequestLedger } from '../src/main/proxy/ledger';
import type { RequestContext } from '../src/main/proxy/request-context';
import { createSseDecoder } from '../src/main/proxy/stages/sse-decode';
import { createUsageStripper } from '../src/main/proxy/stages/strip-injected-usage';
import { createFrameSplitter } from '../src/main/proxy/sse-frames';
import { closeDatabase, openDatabase } from '../src/main/store/schema/db';
import { UsageWriter } from '../src/main/store/write/usage-writer';
import { bodyTranslationReport, translateStream } from './hot-translation';
import { makeEvents } from './sse-script';
import { median } from './stats';

/*
 * `npm run bench:hot`: the per-event cost of what Sluice does beside the relay, in one process and
 * without sockets, so a change to one stage shows as a figure steadier than the end-to-end bench's.
 * The stream is the end-to-end bench's flat-out one (2 000 Chat frames), cut into chunks of k frames
 * as a proxy reads them at different loads. CPU time of this process, ns per event, median of rounds.
 */

const EVENTS = 2000;
const STREAMS_PER_ROUND = 32;
const ROUNDS = 9;
const CHUNKINGS = [1, 8, 64];

/**
 * The stream as a provider sends it when Sluice injected `stream_options.include_usage`: every chunk
 * but the usage-only one carries `"usage":null`, which the strip stage takes out again.
 */
function withInjectedUsage(frames: Buffer[]): Buffer[] {
  return frames.map((f) => {
    const text = f.toString('utf8');
    return text.includes('"usage":{') || !text.startsWith('data: {')
      ? f
      : Buffer.from(text.replace(/\}\n\n$/, ',"usage":null}\n\n'));
  });
}

function chunked(k: number, injected = false): Buffer[] {
  const frames = injected ? withInjectedUsage(makeEvents(EVENTS)) : makeEvents(EVENTS);
  const out: Buffer[] = [];
  for (let i = 0; i < frames.length; i += k) out.push(Buffer.concat(frames.slice(i, i + k)));
  return out;
}

function cpuNs(): number {
  const u = process.cpuUsage();
  return (u.user + u.system) * 1e3;
}

let seq = 0;
const REQ = new IncomingMessage(new Socket());
REQ.url = '/v1/chat/completions';
function context(): RequestContext {
  // The ledger and observeBody read only these.
  const ctx: Pick<
    RequestContext,
    | 'id'
    | 'startMono'
    | 'startedAt'
    | 'settings'
    | 'headers'
    | 'client'
    | 'format'
    | 'model'
    | 'stream'
    | 'method'
    | 'req'
    | 'body'
  > = {
    id: (seq++).toString(16).padStart(32, '0'),
    startMono: performance.now(),
    startedAt: Date.now(),
    settings: DEFAULT_SETTINGS,
    headers: {},
    client: 'other',
    format: 'openai-chat',
    model: 'm',
    stream: true,
    method: 'POST',
    req: REQ,
    body: null,
  };
  return ctx as RequestContext;
}

type Stage = (chunks: readonly Buffer[]) => void;

function round(stage: Stage, chunks: readonly Buffer[], after?: () => void): number {
  const t = cpuNs();
  for (let s = 0; s < STREAMS_PER_ROUND; s++) stage(chunks);
  after?.();
  return (cpuNs() - t) / (STREAMS_PER_ROUND * EVENTS);
}

function measure(stage: Stage, chunks: readonly Buffer[], after?: () => void): number {
  round(stage, chunks, after); // warm-up
  const ns: number[] = [];
  for (let r = 0; r < ROUNDS; r++) {
    (globalThis as { gc?: () => void }).gc?.();
    ns.push(round(stage, chunks, after));
  }
  return median(ns);
}

/** Through the request's real ledger, which writes the request row first, as the gateway does. */
function observing(usage: UsageSink, capture: CaptureSink): Stage {
  const health = new HealthBook(() => Date.now());
  return (chunks) => {
    const ctx = context();
    const ledger = new RequestLedger(
      ctx,
      { usage, live: nullLiveSink, clock: systemClock, health, capture },
      [],
    );
    const body = observeBody(ctx, adapterFor('openai-chat').createObserver(), 'sse', ledger);
    // Each chunk a fresh buffer, as from a socket: the capture keeps it.
    for (const c of chunks) body.push(Buffer.from(c));
    body.end();
  };
}

function main(): void {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'sluice-hot-'));
  const db = openDatabase(path.join(dir, 'usage.db'));
  const writer = new UsageWriter(db, { secrets: () => ['sk-bench-provider-key-0123456789'] });
  const copy: Stage = (chunks) => {
    for (const c of chunks) Buffer.from(c);
  };
  const decode: Stage = (chunks) => {
    let n = 0;
    const d = createSseDecoder(() => n++);
    for (const c of chunks) d.push(Buffer.from(c));
    d.end();
  };
  const strip: Stage = (chunks) => {
    const stripper = createUsageStripper(createFrameSplitter());
    for (const c of chunks) stripper.push(Buffer.from(c));
    stripper.end();
  };
  const stages: [string, Stage, (() => void)?, boolean?][] = [
    ['copy (baseline)', copy],
    ['SSE decode', decode],
    ['strip injected usage', strip, undefined, true],
    ['observe', observing(nullUsageSink, nullCaptureSink)],
    ['observe + capture', observing(writer, writer), () => writer.flush()],
    // What a translated stream (Anthropic client, Chat provider) adds after the commit.
    ['translate Chat → Anthropic (split + decode + encode)', translateStream],
  ];
  const lines = [
    `## Hot path, ns per event — Node ${process.version}, ${STREAMS_PER_ROUND} streams × ${EVENTS} Chat frames per round, median of ${ROUNDS} rounds`,
    '',
    `| stage | ${CHUNKINGS.map((k) => `${k} frame${k === 1 ? '' : 's'}/chunk`).join(' | ')} |`,
    `|---|${CHUNKINGS.map(() => '---').join('|')}|`,
  ];
  // HOT_STAGES=observe runs only the stages whose names contain one of the given words.
  const only = process.env.HOT_STAGES?.split(',');
  for (const [name, stage, after, injected] of stages) {
    if (only !== undefined && !only.some((w) => name.includes(w))) continue;
    const cells = CHUNKINGS.map((k) => measure(stage, chunked(k, injected), after).toFixed(0));
    lines.push(`| ${name} | ${cells.join(' | ')} |`);
  }
  writer.close();
  // The capture stage must have written what it captured, or its figure means nothing.
  const stored = db
    .prepare<[], { n: number; bytes: number }>('SELECT count(*) AS n, total(bytes) AS bytes FROM captures')
    .get();
  lines.push(
    '',
    `Captures stored: ${stored?.n ?? 0} rows, ${((stored?.bytes ?? 0) / 1e6).toFixed(1)} MB compressed.`,
  );
  closeDatabase(db);
  fs.rmSync(dir, { recursive: true, force: true });
  if (only === undefined || only.some((w) => 'translate request body'.includes(w)))
    lines.push(...bodyTranslationReport());
  process.stdout.write(`${lines.join('\n')}\n`);
}

main();
