import BetterSqlite3 from 'better-sqlite3';
import { spawn, type ChildProcess } from 'node:child_process';
import fs from 'node:fs';
import http from 'node:http';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startApp } from '../../src/main/app/app';
import { FakeUpstream } from '../support/fake-upstream';
import { buildHeadless } from '../support/headless-build';

/*
 * kill -9 in the middle of a burst: the real headless gateway in a child process, requests streaming
 * through it, SIGKILL, then the next start. The file must be intact, every request the client saw
 * answered long enough before the kill must be recorded, and nothing may stay pending or streaming.
 */

const SSE = [
  'event: message_start\ndata: {"type":"message_start","message":{"id":"msg_1","type":"message","role":"assistant","model":"claude-up","content":[],"stop_reason":null,"usage":{"input_tokens":21,"output_tokens":1}}}\n\n',
  'event: content_block_start\ndata: {"type":"content_block_start","index":0,"content_block":{"type":"text","text":""}}\n\n',
  ...Array.from(
    { length: 6 },
    () =>
      'event: content_block_delta\ndata: {"type":"content_block_delta","index":0,"delta":{"type":"text_delta","text":"Hello"}}\n\n',
  ),
  'event: content_block_stop\ndata: {"type":"content_block_stop","index":0}\n\n',
  'event: message_delta\ndata: {"type":"message_delta","delta":{"stop_reason":"end_turn","stop_sequence":null},"usage":{"output_tokens":9}}\n\n',
  'event: message_stop\ndata: {"type":"message_stop"}\n\n',
];

/** A request must have been answered this long before the kill to count as acknowledged (the writer batches every 25 ms). */
const SAFE_MARGIN_MS = 2_000;
/** Upper bound: the workers keep sending until the kill. */
const BURST = 3000;
const CONCURRENCY = 40;

interface Sent {
  requestId: string | null;
  headersAt: number | null;
  doneAt: number | null;
}

const tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'sluice-crash-'));
const dataDir = path.join(tmp, 'data');
const configFile = path.join(tmp, 'sluice.json');
let build: ReturnType<typeof buildHeadless>;
let upstream: FakeUpstream;

beforeAll(async () => {
  build = buildHeadless('test-crash');
  upstream = await new FakeUpstream(() => ({ chunks: SSE, delayMs: 40 })).start();
  fs.writeFileSync(
    configFile,
    JSON.stringify({
      providers: [{ id: 'claude', kind: 'anthropic', baseUrl: upstream.url, apiKey: 'sk-ant-key-1234' }],
    }),
  );
}, 120_000);
afterAll(async () => {
  await upstream.close();
  build.remove();
  fs.rmSync(tmp, { recursive: true, force: true });
});

function serve(): { child: ChildProcess; url: Promise<string> } {
  const child = spawn(
    process.execPath,
    [build.cli, 'serve', '--port', '0', '--data-dir', dataDir, '--config', configFile],
    {
      stdio: ['ignore', 'pipe', 'pipe'],
    },
  );
  const url = new Promise<string>((resolve, reject) => {
    let out = '';
    child.stdout.on('data', (d: Buffer) => {
      out += d.toString();
      const m = /listening on (\S+)/.exec(out);
      if (m) resolve(m[1]!);
    });
    child.once('exit', () => reject(new Error('serve exited before listening')));
  });
  return { child, url };
}

function send(url: string, agent: http.Agent, sent: Sent): Promise<void> {
  return new Promise((resolve) => {
    const req = http.request(
      `${url}/v1/messages`,
      { method: 'POST', agent, headers: { 'content-type': 'application/json', 'x-api-key': 'client' } },
      (res) => {
        sent.requestId = String(res.headers['x-sluice-request-id'] ?? '') || null;
        sent.headersAt = Date.now();
        res.resume();
        res.on('end', () => {
          sent.doneAt = Date.now();
          resolve();
        });
        res.on('error', () => resolve());
        res.on('close', () => resolve());
      },
    );
    req.on('error', () => resolve()); // the kill cuts the rest off
    req.end(
      JSON.stringify({
        model: 'claude-x',
        max_tokens: 10,
        stream: true,
        messages: [{ role: 'user', content: 'hi' }],
      }),
    );
  });
}

describe('a crash during a burst', () => {
  it('leaves an intact file; the next start marks open rows interrupted and loses no acknowledged request', async () => {
    const { child, url: urlP } = serve();
    const url = await urlP;
    const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
    const agent = new http.Agent({ keepAlive: true, maxSockets: CONCURRENCY });
    const sent: Sent[] = Array.from({ length: BURST }, () => ({
      requestId: null,
      headersAt: null,
      doneAt: null,
    }));
    let next = 0;
    let killedAt = 0;
    const worker = async (): Promise<void> => {
      while (next < BURST && killedAt === 0) await send(url, agent, sent[next++]!);
    };
    const workers = Array.from({ length: CONCURRENCY }, () => worker());
    // Mid-burst: once enough were answered long enough ago to count as acknowledged, with many more streaming.
    const acknowledged = (): number =>
      sent.filter((s) => s.doneAt !== null && s.doneAt < Date.now() - SAFE_MARGIN_MS).length;
    while (acknowledged() < 50 && next < BURST) await new Promise((r) => setTimeout(r, 10));
    killedAt = Date.now();
    child.kill('SIGKILL');
    await exited;
    await Promise.all(workers);
    agent.destroy();
    const inFlight = sent.filter((s) => s.headersAt !== null && s.doneAt === null).length;
    expect(inFlight).toBeGreaterThan(0); // the kill did land mid-stream

    const file = path.join(dataDir, 'sluice.db');
    const raw = new BetterSqlite3(file);
    expect(raw.pragma('integrity_check', { simple: true })).toBe('ok');
    const open = raw
      .prepare(`SELECT count(*) AS n FROM requests WHERE status IN ('pending', 'streaming')`)
      .get() as { n: number };
    raw.close();
    expect(open.n).toBeGreaterThan(0); // rows the crash left open, for the next start to find

    const log: string[] = [];
    const app = await startApp({ dataDir, configFile, port: 0, host: '127.0.0.1', log: (l) => log.push(l) });
    try {
      const rows = new Map(app.queries.listRequests({ limit: 10_000 }).map((r) => [r.requestId, r]));
      if (open.n > 0)
        expect(log).toContain(
          `Sluice: ${open.n} request(s) from an earlier run were interrupted (marked as such)`,
        );
      expect([...rows.values()].filter((r) => r.status === 'pending' || r.status === 'streaming')).toEqual(
        [],
      );
      expect([...rows.values()].filter((r) => r.status === 'interrupted')).toHaveLength(open.n);
      for (const s of sent) {
        if (s.requestId === null || s.headersAt === null) continue;
        const row = rows.get(s.requestId);
        const answeredEarly = s.doneAt !== null && s.doneAt < killedAt - SAFE_MARGIN_MS;
        const startedEarly = s.headersAt < killedAt - SAFE_MARGIN_MS;
        if (answeredEarly) expect(row?.status, `request ${s.requestId}`).toBe('completed');
        else if (startedEarly) expect(['completed', 'interrupted']).toContain(row?.status);
        if (row !== undefined && s.doneAt === null) expect(row.status).toBe('interrupted');
      }
      expect(
        sent.filter((s) => s.doneAt !== null && s.doneAt < killedAt - SAFE_MARGIN_MS).length,
      ).toBeGreaterThan(0);
      // Interrupted requests count in the totals, as errors.
      const [total] = app.queries.summarize({ bucket: 'all', groupBy: 'none' });
      expect(total).toMatchObject({
        requests: rows.size,
        interrupted: open.n,
        errors: open.n + (total?.failed ?? 0),
      });
    } finally {
      await app.close();
    }
    const after = new BetterSqlite3(file, { readonly: true });
    expect(after.pragma('integrity_check', { simple: true })).toBe('ok');
    after.close();
  }, 120_000);
});
