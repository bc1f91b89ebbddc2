import http from 'node:http';
import { performance } from 'node:perf_hooks';
import { translatedStream } from './translated';
import { SCRIPTS, type Wire } from './wire-scripts';

/**
 * `passthrough`: the plain node:http + undici relay; `naive`: the same observing every event the naive
 * way; `anthropic→chat`: an Anthropic Messages client served by Sluice through a Chat provider (translated).
 */
export type PathName = 'direct' | 'nginx' | 'passthrough' | 'naive' | 'sluice' | 'anthropic→chat';

/** Where the load generator sends its requests. */
export interface Target {
  name: PathName;
  port: number;
  /** The format the upstream streams (and, unless `anthropic`, the client speaks). */
  wire: Wire;
  /**
   * The client speaks Anthropic Messages (`POST /v1/messages`) to a Chat provider: it expects the
   * upstream's Chat stream as Sluice's translation renders it, not the upstream's bytes.
   */
  anthropic?: boolean;
}

export interface StreamResult {
  /** Request sent → response headers, ms; NaN when none came. */
  headersMs: number;
  /** Request sent → first body byte, ms; NaN when none came. */
  ttfbMs: number;
  /**
   * Request sent → the first content delta complete (past the format's fixed head frames: Anthropic's
   * message_start and content_block_start), ms; the first byte for a translated stream; NaN when none came.
   */
  contentMs: number;
  /** Why the stream counts as failed; null when every byte matched what the upstream sent. */
  error: string | null;
}

export interface StreamHooks {
  onFirstByte?: () => void;
  /** Sent in the request body (`bench-tag-<n>`): the upstream then logs when it wrote each frame. */
  tag?: number;
  /** `count` more whole SSE events (blank-line ends) arrived at `at` (performance.now()). */
  onEvents?: (count: number, at: number) => void;
  /** `opened`: whether a body byte had arrived, i.e. whether this stream was ever open at the client. */
  onDone?: (opened: boolean) => void;
}

/**
 * What a body must be: exactly these bytes, or — for streams the upstream holds open until released —
 * its stream with any count of content frames from 1 to `maxContent`.
 */
export type Expected = Buffer | { maxContent: number };

interface Request {
  path: string;
  body: Buffer;
  headers: Record<string, string>;
}

/** What a client of each format sends (an Anthropic client to be translated sends the same). */
const REQUESTS: Record<Wire, Request> = {
  chat: { ...SCRIPTS.chat, body: Buffer.from(SCRIPTS.chat.body) },
  anthropic: { ...SCRIPTS.anthropic, body: Buffer.from(SCRIPTS.anthropic.body) },
};

/** The request with `tag` in a field each format defines for an end user's id (`user`, `metadata.user_id`). */
function tagged(request: Request, anthropic: boolean, tag: number): Buffer {
  const json = JSON.parse(request.body.toString('utf8')) as Record<string, unknown>;
  const id = `bench-tag-${tag}`;
  return Buffer.from(
    JSON.stringify(anthropic ? { ...json, metadata: { user_id: id } } : { ...json, user: id }),
  );
}

const sum = (frames: readonly Buffer[]): number => frames.reduce((n, f) => n + f.length, 0);

/** Checks a held stream's whole body (small: a few KB) against the stream with as many content frames as fit. */
function checkHeld(body: Buffer, maxContent: number, wire: Wire): string | null {
  const s = SCRIPTS[wire];
  const content = s.content();
  for (let k = 1; k <= maxContent; k++) {
    const length = sum(s.head) + k * content.length + sum(s.tail(k));
    if (length < body.length) continue;
    if (length > body.length) break;
    const want = Buffer.concat([...s.head, ...Array.from({ length: k }, () => content), ...s.tail(k)]);
    if (body.equals(want)) return null;
    const at = firstDifference(body, want);
    return divergence(at, body.subarray(at), want.subarray(at));
  }
  return `body of ${body.length} bytes is no stream the upstream sends: ${JSON.stringify(body.toString('utf8', 0, 200))}`;
}

const LF = 0x0a;

/** Blank-line event ends (`\n\n`) in `chunk`, one split across chunks included (`before`: the previous chunk's last byte). */
export function countEventEnds(chunk: Buffer, before: number): number {
  let n = 0;
  if (chunk[0] === LF && before === LF) n++;
  for (let at = chunk.indexOf('\n\n'); at !== -1; at = chunk.indexOf('\n\n', at + 2)) n++;
  return n;
}

/** A keep-alive agent that never queues: every stream gets its own socket at once. */
export function newAgent(): http.Agent {
  return new http.Agent({ keepAlive: true, maxSockets: Infinity, maxFreeSockets: 1024 });
}

function firstDifference(a: Buffer, b: Buffer): number {
  let at = 0;
  while (at < a.length && at < b.length && a[at] === b[at]) at++;
  return at;
}

/** Shows where two byte sequences part (`got` and `expected` both from offset `at` on), for the report. */
function divergence(at: number, got: Buffer, expected: Buffer): string {
  const show = (b: Buffer): string => JSON.stringify(b.toString('utf8', 0, 100));
  return `bytes differ from upstream's at offset ${at}: got ${show(got)}, expected ${show(expected)}`;
}

/**
 * One streaming Chat request; checks that the body is byte for byte the `expected` upstream stream,
 * so a relay that drops, adds or reorders bytes counts as an error, not as a fast stream. An
 * Anthropic target sends a Messages request and checks the body against that stream translated.
 */
export function runStream(
  target: Target,
  agent: http.Agent,
  expected: Expected,
  timeoutMs: number,
  hooks: StreamHooks = {},
): Promise<StreamResult> {
  const wire = target.anthropic === true ? 'anthropic' : target.wire;
  const request = REQUESTS[wire];
  const body = hooks.tag === undefined ? request.body : tagged(request, wire === 'anthropic', hooks.tag);
  if (target.anthropic === true) {
    if (!Buffer.isBuffer(expected)) throw new Error('held streams are checked for Chat clients only');
    expected = translatedStream(expected);
  }
  return new Promise((resolve) => {
    let headersMs = NaN;
    let ttfbMs = NaN;
    let contentMs = NaN;
    /** Events to see complete before the first content delta is. */
    const beforeContent = target.anthropic === true ? 0 : SCRIPTS[target.wire].head.length + 1;
    let events = 0;
    let received = 0;
    let lastByte = 0;
    let mismatch: string | null = null;
    let settled = false;
    let sent = 0;
    const finish = (error: string | null): void => {
      if (settled) return;
      settled = true;
      clearTimeout(timer);
      hooks.onDone?.(received > 0);
      resolve({ headersMs, ttfbMs, contentMs, error });
    };
    const req = http.request(
      {
        host: '127.0.0.1',
        port: target.port,
        method: 'POST',
        path: request.path,
        agent,
        headers: {
          'content-type': 'application/json',
          'content-length': body.length,
          ...request.headers,
        },
      },
      (res) => {
        headersMs = performance.now() - sent;
        if (res.statusCode !== 200) {
          const parts: Buffer[] = [];
          res.on('data', (c: Buffer) => parts.push(c));
          res.on('end', () => {
            const head = Buffer.concat(parts).toString('utf8', 0, 300);
            finish(`HTTP ${res.statusCode ?? '?'}: ${head}`);
          });
          return;
        }
        const held: Buffer[] = [];
        res.on('data', (chunk: Buffer) => {
          if (received === 0) {
            ttfbMs = performance.now() - sent;
            hooks.onFirstByte?.();
          }
          if (!Buffer.isBuffer(expected)) held.push(chunk);
          else if (mismatch === null) {
            const end = received + chunk.length;
            if (end > expected.length || !chunk.equals(expected.subarray(received, end))) {
              let at = 0;
              while (at < chunk.length && chunk[at] === expected[received + at]) at++;
              mismatch = divergence(received + at, chunk.subarray(at), expected.subarray(received + at));
            }
          }
          received += chunk.length;
          if (beforeContent === 0) contentMs = ttfbMs;
          if (hooks.onEvents !== undefined || events < beforeContent) {
            const n = countEventEnds(chunk, lastByte);
            lastByte = chunk[chunk.length - 1] ?? lastByte;
            if (events < beforeContent && events + n >= beforeContent) contentMs = performance.now() - sent;
            events += n;
            if (n > 0) hooks.onEvents?.(n, performance.now());
          }
        });
        res.on('end', () => {
          if (!Buffer.isBuffer(expected))
            finish(checkHeld(Buffer.concat(held), expected.maxContent, target.wire));
          else if (mismatch !== null) finish(mismatch);
          else if (received !== expected.length)
            finish(`incomplete: ${received} of ${expected.length} bytes`);
          else finish(null);
        });
        res.on('close', () => {
          if (!res.complete) finish(`connection closed after ${received} bytes, before the end`);
        });
      },
    );
    req.on('error', (err) => finish(`request error: ${err.message}`));
    // `finish` reads it only from I/O callbacks, which run after this line.
    const timer = setTimeout(() => {
      req.destroy(new Error(`no complete stream within ${timeoutMs} ms`));
    }, timeoutMs);
    sent = performance.now();
    req.end(body);
  });
}

/** `count` streams at once, each started `staggerMs` after the previous (0: all in the same tick). */
export async function runMany(
  target: Target,
  agent: http.Agent,
  count: number,
  expected: Expected,
  opts: { timeoutMs: number; staggerMs?: number; hooks?: StreamHooks | ((i: number) => StreamHooks) },
): Promise<StreamResult[]> {
  const runs: Promise<StreamResult>[] = [];
  for (let i = 0; i < count; i++) {
    if (i > 0 && (opts.staggerMs ?? 0) > 0) await new Promise((r) => setTimeout(r, opts.staggerMs));
    const hooks = typeof opts.hooks === 'function' ? opts.hooks(i) : opts.hooks;
    runs.push(runStream(target, agent, expected, opts.timeoutMs, hooks));
  }
  return Promise.all(runs);
}
