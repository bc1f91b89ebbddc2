import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { execFileSync, spawn, spawnSync, type ChildProcess } from 'node:child_process';
import fs from 'node:fs';
import http from 'node:http';
import os from 'node:os';
import path from 'node:path';
import { FakeUpstream } from '../support/fake-upstream';
import { buildHeadless } from '../support/headless-build';
import type { UsageRow } from '../../src/shared/usage';
import { closeDatabase, openDatabase } from '../../src/main/store/schema/db';
import { UsageWriter } from '../../src/main/store/write/usage-writer';
import { aFinish, aStart } from '../unit/store/fixtures';
import type { SummaryRow } from '../../src/shared/usage-query';

const tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'sluice-cli-'));
let cli = '';
let removeBuild = (): void => {};

function startServe(args: string[]): {
  child: ChildProcess;
  line: Promise<string>;
  stderr: () => string;
  exit: Promise<number | null>;
} {
  const child = spawn(process.execPath, [cli, 'serve', ...args], { stdio: ['ignore', 'pipe', 'pipe'] });
  let err = '';
  child.stderr.on('data', (d: Buffer) => (err += d.toString()));
  const line = new Promise<string>((resolve, reject) => {
    let out = '';
    child.stdout.on('data', (d: Buffer) => {
      out += d.toString();
      if (out.includes('\n')) resolve(out.split('\n')[0]!);
    });
    child.once('exit', () => reject(new Error(`exited: ${err}`)));
  });
  const exit = new Promise<number | null>((resolve) => child.once('exit', (code) => resolve(code)));
  return { child, line, stderr: () => err, exit };
}

function runCli(args: string[]): { code: number; stdout: string; stderr: string } {
  try {
    return {
      code: 0,
      stdout: execFileSync(process.execPath, [cli, ...args], { encoding: 'utf8', stdio: 'pipe' }),
      stderr: '',
    };
  } catch (e) {
    const err = e as { status: number; stdout: string; stderr: string };
    return { code: err.status, stdout: err.stdout, stderr: err.stderr };
  }
}

const anthropicSse = [
  'event: message_start\ndata: {"type":"message_start","message":{"id":"msg_1","type":"message","role":"assistant","model":"claude-up","content":[],"stop_reason":null,"usage":{"input_tokens":21,"cache_read_input_tokens":5,"cache_creation_input_tokens":0,"output_tokens":1}}}\n\n',
  'event: content_block_start\ndata: {"type":"content_block_start","index":0,"content_block":{"type":"text","text":""}}\n\n',
  'event: content_block_delta\ndata: {"type":"content_block_delta","index":0,"delta":{"type":"text_delta","text":"Hello"}}\n\n',
  'event: content_block_stop\ndata: {"type":"content_block_stop","index":0}\n\n',
  'event: message_delta\ndata: {"type":"message_delta","delta":{"stop_reason":"end_turn","stop_sequence":null},"usage":{"output_tokens":9}}\n\n',
  'event: message_stop\ndata: {"type":"message_stop"}\n\n',
];

describe('headless CLI', () => {
  let upstream: FakeUpstream;
  let config: string;
  const dataDir = path.join(tmp, 'data');

  beforeAll(async () => {
    ({ cli, remove: removeBuild } = buildHeadless('test-cli'));
    upstream = await new FakeUpstream(() => ({ chunks: anthropicSse, delayMs: 150 })).start();
    config = path.join(tmp, 'sluice.json');
    fs.writeFileSync(
      config,
      JSON.stringify({
        providers: [
          {
            id: 'claude',
            kind: 'anthropic',
            baseUrl: upstream.url,
            apiKey: 'sk-ant-secret',
            models: { 'claude-x': 'claude-up' },
          },
        ],
      }),
    );
  }, 120_000);
  afterAll(async () => {
    await upstream.close();
    fs.rmSync(tmp, { recursive: true, force: true });
    removeBuild();
  });

  it('serves, shuts down gracefully on SIGTERM with a request in flight, and reports usage', async () => {
    const s = startServe(['--port', '0', '--data-dir', dataDir, '--config', config]);
    const line = await s.line;
    expect(line).toMatch(/^Sluice listening on http:\/\/127\.0\.0\.1:\d+$/);
    const url = line.slice('Sluice listening on '.length);
    const body = await new Promise<string>((resolve, reject) => {
      const req = http.request(
        `${url}/v1/messages?beta=true`,
        {
          method: 'POST',
          headers: { 'x-api-key': 'client', 'user-agent': 'claude-cli/2.0.0 (external, cli)' },
        },
        (res) => {
          let text = '';
          res.once('data', () => s.child.kill('SIGTERM')); // shut down mid-stream
          res.on('data', (d: Buffer) => (text += d.toString()));
          res.on('end', () => resolve(text));
        },
      );
      req.on('error', reject);
      req.end(
        JSON.stringify({
          model: 'claude-x',
          max_tokens: 10,
          stream: true,
          messages: [{ role: 'user', content: 'hi' }],
        }),
      );
    });
    expect(body).toBe(anthropicSse.join(''));
    expect(await s.exit).toBe(0);
    expect(upstream.requests.at(-1)!.url).toBe('/v1/messages?beta=true');
    expect((upstream.requests.at(-1)!.json as { model: string }).model).toBe('claude-up');

    const json = runCli(['usage', '--json', '--data-dir', dataDir]);
    expect(json.code).toBe(0);
    const rows = JSON.parse(json.stdout) as UsageRow[];
    expect(rows).toHaveLength(1);
    expect(rows[0]).toMatchObject({
      client: 'claude-code',
      format: 'anthropic',
      model: 'claude-x',
      upstreamModel: 'claude-up',
      provider: 'claude',
      status: 'completed',
      httpStatus: 200,
      inputTokens: 21,
      cacheReadTokens: 5,
      cacheWriteTokens: 0,
      outputTokens: 9,
      error: null,
    });
    expect(rows[0]!.requestId).toMatch(/^[0-9a-f]{32}$/);
    expect(rows[0]!.ttfbMs).toBeGreaterThanOrEqual(0);
    expect(rows[0]!.durationMs).toBeGreaterThanOrEqual(rows[0]!.ttfbMs!);
    // Streamed a row at a time, yet the very text JSON.stringify(rows, null, 2) gives.
    expect(json.stdout).toBe(`${JSON.stringify(rows, null, 2)}\n`);
    const csv = runCli(['usage', '--csv', '--data-dir', dataDir]);
    expect(csv.stdout.split('\r\n')[0]).toContain('requestId');
    expect(
      runCli(['usage', '--json', '--since', '2999-01-01T00:00:00Z', '--data-dir', dataDir]).stdout.trim(),
    ).toBe('[]');
    // The provider's key never lands in the database.
    for (const f of fs.readdirSync(dataDir))
      expect(fs.readFileSync(path.join(dataDir, f)).includes('sk-ant-secret')).toBe(false);
  });

  it('exports totals by day, model, provider and client, in the CSV the UI exports', () => {
    const byModel = runCli(['usage', '--csv', '--group-by', 'model', '--data-dir', dataDir]);
    expect(byModel.code).toBe(0);
    const [header, first, end] = byModel.stdout.split('\r\n');
    expect(header).toBe(
      'model,requests,completed,failed,aborted,interrupted,errors,inputTokens,cacheReadTokens,cacheWriteTokens,' +
        'outputTokens,reasoningTokens,costUsd,unpricedRequests,ttfbP50Ms,ttfbP95Ms',
    );
    // `claude-up` has no price: counted, and flagged as unpriced rather than costed at 0.
    expect(first).toMatch(/^claude-up,1,1,0,0,0,0,21,5,0,9,0,0,1,\d+,\d+$/);
    expect(end).toBe('');
    const days = JSON.parse(
      runCli(['usage', '--json', '--group-by', 'day', '--utc', '--data-dir', dataDir]).stdout,
    ) as SummaryRow[];
    expect(days).toHaveLength(1);
    expect(days[0]).toMatchObject({ key: null, requests: 1, completed: 1, inputTokens: 21, outputTokens: 9 });
    expect(days[0]!.bucketStart).toMatch(/T00:00:00\.000Z$/);
    expect(runCli(['usage', '--csv', '--group-by', 'provider', '--data-dir', dataDir]).stdout).toContain(
      '\r\nclaude,1,',
    );
    expect(runCli(['usage', '--group-by', 'client', '--data-dir', dataDir]).stdout).toMatch(
      /^claude-code +1 +0 +21 /m,
    );
    expect(
      runCli([
        'usage',
        '--json',
        '--group-by',
        'model',
        '--since',
        '2999-01-01T00:00:00Z',
        '--data-dir',
        dataDir,
      ]).stdout,
    ).toBe('[]\n');
    const bad = runCli(['usage', '--group-by', 'week', '--data-dir', dataDir]);
    expect(bad.code).toBe(1);
    expect(bad.stderr.trim()).toBe(
      'sluice: --group-by must be one of day, model, provider, client, got "week"',
    );
  });

  it('exits quietly, 0 and no stack trace, when its reader stops early (`sluice usage | head`)', () => {
    const many = path.join(tmp, 'many');
    const db = openDatabase(path.join(many, 'sluice.db'));
    const writer = new UsageWriter(db, {});
    for (let i = 0; i < 3000; i++) {
      const start = aStart();
      writer.requestStarted(start);
      writer.requestFinished(aFinish(start.requestId));
    }
    writer.close();
    closeDatabase(db);
    for (const format of ['--json', '--csv', '--utc']) {
      const r = spawnSync(
        'bash',
        [
          '-c',
          `"$0" "$1" usage ${format} --data-dir "$2" | head -c 100 >/dev/null; exit \${PIPESTATUS[0]}`,
          process.execPath,
          cli,
          many,
        ],
        { encoding: 'utf8' },
      );
      expect({ format, code: r.status, stderr: r.stderr }).toEqual({ format, code: 0, stderr: '' });
    }
  });

  it('says in one line when the port is taken', async () => {
    const blocker = http.createServer();
    await new Promise<void>((r) => blocker.listen(0, '127.0.0.1', r));
    const port = (blocker.address() as { port: number }).port;
    const r = runCli(['serve', '--port', String(port), '--data-dir', dataDir, '--config', config]);
    blocker.close();
    expect(r.code).toBe(1);
    expect(r.stderr.trim()).toBe(
      `sluice: port ${port} on 127.0.0.1 is already in use (pick another with --port, or --port 0 for any free one)`,
    );
  });

  it('names the bad field of an invalid config', () => {
    const bad = path.join(tmp, 'bad.json');
    fs.writeFileSync(
      bad,
      JSON.stringify({
        providers: [{ id: 'x', kind: 'azure', baseUrl: 'http://a' }],
        settings: { idleTimoutMs: 5 },
      }),
    );
    const r = runCli(['serve', '--port', '0', '--data-dir', dataDir, '--config', bad]);
    expect(r.code).toBe(1);
    expect(r.stderr).toContain('providers[0].kind');
    expect(r.stderr).toContain('idleTimoutMs');
  });

  it('refuses to listen beyond loopback unless the local token is required', () => {
    const r = runCli([
      'serve',
      '--port',
      '0',
      '--host',
      '0.0.0.0',
      '--data-dir',
      dataDir,
      '--config',
      config,
    ]);
    expect(r.code).toBe(1);
    expect(r.stderr).toContain('requireLocalToken');
  });
});
