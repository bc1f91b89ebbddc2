import fs from 'node:fs';
import path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import type { UsageRow } from '../../src/shared/usage';
import { FakeUpstream } from '../support/fake-upstream';
import {
  CLIENT_KEYS,
  CLIENTS_DIR,
  TOOLS,
  installedVersion,
  runTool,
  type ToolRun,
  type ToolSpec,
} from './support/clients';
import { gatewayBehindTee } from './support/gateway';
import { ANSWERS, llmReply, type UpstreamKind, type UpstreamMode } from './support/llm-upstream';
import { describeExchange, describeUpstreamRequest, textDeltas } from './support/report';
import { decodedBody, type Exchange } from './support/tee';

/**
 * The real Claude Code, Codex CLI and Gemini CLI, one-shot, through the built headless Sluice, against
 * fake upstreams on 127.0.0.1. Run by `npm run test:clients` (scripts/test-clients.mjs installs the CLIs).
 */

const PROMPT = 'Reply with the sentence your upstream has ready for this test.';
/** Deltas each fake upstream splits its answer into (llm-upstream.ts). */
const UPSTREAM_DELTAS = 3;

interface CaseSpec {
  name: 'smoothing-off' | 'smoothing-on' | 'failover';
  settings: Record<string, unknown>;
  upstreams: { id: string; mode: UpstreamMode }[];
  answeredBy: string;
}

function casesFor(kind: UpstreamKind): CaseSpec[] {
  return [
    {
      name: 'smoothing-off',
      settings: { smoothing: { enabled: false } },
      upstreams: [{ id: `fake-${kind}`, mode: 'ok' }],
      answeredBy: `fake-${kind}`,
    },
    {
      name: 'smoothing-on',
      settings: { smoothing: { enabled: true, mode: 'fixed', chunkChars: 3, delayMs: 2 } },
      upstreams: [{ id: `fake-${kind}`, mode: 'ok' }],
      answeredBy: `fake-${kind}`,
    },
    {
      // First provider: the vendor's overload status; second: a 200 whose stream opens with an error
      // event; the third answers. Smoothing on (adaptive) so the backup's stream is re-paced too.
      name: 'failover',
      settings: { smoothing: { enabled: true, chunkChars: 4 }, retryBaseDelayMs: 50 },
      upstreams: [
        { id: `fake-${kind}-overloaded`, mode: 'overloaded' },
        { id: `fake-${kind}-stream-error`, mode: 'stream-error' },
        { id: `fake-${kind}-backup`, mode: 'ok' },
      ],
      answeredBy: `fake-${kind}-backup`,
    },
  ];
}

/** Is this the streamed generation call that carries the answer? */
function isAnswerCall(spec: ToolSpec, e: Exchange): boolean {
  const line = e.request.startLine;
  switch (spec.format) {
    case 'anthropic':
      return /^POST \/v1\/messages(\?|\s)/.test(line);
    case 'openai-responses':
      return line.startsWith('POST /v1/responses ');
    default:
      return /:streamGenerateContent/.test(line);
  }
}

interface CaseReport {
  client: string;
  version: string;
  case: string;
  passed: boolean;
  durationMs: number;
  exitCode: number | null;
  stdout: string;
  stderrTail: string;
  network: ToolRun['network'];
  sent: Record<string, unknown>[];
  forwarded: Record<string, Record<string, unknown>[]>;
  usage: Pick<UsageRow, 'client' | 'format' | 'model' | 'provider' | 'status' | 'httpStatus' | 'stream'>[];
}

const reports: CaseReport[] = [];

afterAll(() => {
  const file = path.join(CLIENTS_DIR, 'last-run.json');
  fs.writeFileSync(file, JSON.stringify(reports, null, 2));
  const lines = reports.map(
    (r) =>
      `${r.passed ? 'PASS' : 'FAIL'}  ${r.client.padEnd(12)} ${r.version.padEnd(10)} ${r.case.padEnd(14)} ` +
      `${String(r.durationMs).padStart(6)} ms  net: ${
        r.network === null
          ? 'not traced'
          : Object.keys(r.network.destinations).length + r.network.dnsNames.length === 0
            ? 'loopback only'
            : JSON.stringify(r.network)
      }`,
  );
  console.log(`\nreal clients through Sluice (details: ${file})\n${lines.join('\n')}\n`);
});

describe.each(TOOLS)('$client', (spec) => {
  const kind = spec.kind;
  const version = fs.existsSync(path.join(CLIENTS_DIR, 'node_modules', spec.pkg))
    ? installedVersion(spec)
    : '';

  it.each(casesFor(kind))('prints the upstream text exactly: $name', async (c) => {
    expect(version, `${spec.pkg} is not installed in ${CLIENTS_DIR}: run npm run test:clients`).not.toBe('');
    const upstreams = await Promise.all(
      c.upstreams.map((u) => new FakeUpstream(llmReply(kind, u.mode)).start()),
    );
    const { sluice, tee } = await gatewayBehindTee({
      providers: c.upstreams.map((u, i) => ({
        id: u.id,
        kind,
        baseUrl: kind === 'openai' ? `${upstreams[i]!.url}/v1` : upstreams[i]!.url,
        apiKey: `sk-upstream-${u.id}`,
        priority: i + 1,
      })),
      settings: c.settings,
    }).catch(async (e: unknown) => {
      await Promise.all(upstreams.map((u) => u.close()));
      throw e;
    });
    const report: CaseReport = {
      client: spec.client,
      version,
      case: c.name,
      passed: false,
      durationMs: 0,
      exitCode: null,
      stdout: '',
      stderrTail: '',
      network: null,
      sent: [],
      forwarded: {},
      usage: [],
    };
    reports.push(report);
    try {
      const run = await runTool(spec, tee.url, sluice.dataDir, PROMPT);
      const exchanges = tee.exchanges();
      const rows = await sluice.finishedRows(exchanges.length);
      Object.assign(report, {
        durationMs: run.durationMs,
        exitCode: run.code,
        stdout: run.stdout,
        stderrTail: run.stderr.slice(-4000),
        network: run.network,
        sent: exchanges.map((e) => describeExchange(e, spec.format)),
        forwarded: Object.fromEntries(
          c.upstreams.map((u, i) => [u.id, upstreams[i]!.requests.map(describeUpstreamRequest)]),
        ),
        usage: rows.map(({ client, format, model, provider, status, httpStatus, stream }) => ({
          client,
          format,
          model,
          provider,
          status,
          httpStatus,
          stream,
        })),
      });
      const context = `exit ${String(run.code)} ${run.signal ?? ''}\nstderr:\n${run.stderr.slice(-3000)}\nsluice:\n${sluice.output().slice(-2000)}`;

      // 1. The tool ran and printed exactly what the upstream said.
      expect(run.code, context).toBe(0);
      expect(run.stdout.replace(/\r?\n$/, ''), context).toBe(ANSWERS[kind]);

      // 2. Every call it made went through Sluice and got a 2xx; the answer came as a stream.
      expect(exchanges.length, 'the CLI made no request through Sluice').toBeGreaterThan(0);
      for (const e of exchanges) {
        expect(e.response?.startLine ?? 'no response', e.request.startLine).toMatch(/^HTTP\/1\.1 2\d\d /);
      }
      const answer = exchanges.find((e) => isAnswerCall(spec, e));
      expect(answer, 'no streamed generation call').toBeDefined();
      const answered = decodedBody(answer!.response!)?.toString('utf8') ?? '';
      const deltas = textDeltas(spec.format, answered);
      if (c.name === 'smoothing-off')
        expect(deltas, 'smoothing off relays the deltas as they came').toBe(UPSTREAM_DELTAS);
      else
        expect(deltas, 'smoothing re-paces the text into more, smaller deltas').toBeGreaterThan(
          UPSTREAM_DELTAS * 3,
        );

      // 3. Sluice recorded every request, as this client, and the answer as completed by the right provider.
      expect(rows.length, JSON.stringify(rows)).toBe(exchanges.length);
      for (const r of rows) expect(r.client, `user-agent ${r.userAgent ?? ''}`).toBe(spec.client);
      const streamed = rows.filter((r) => r.format === spec.format && r.stream);
      expect(streamed.length, JSON.stringify(rows)).toBeGreaterThan(0);
      for (const r of streamed) {
        expect(r.status, r.error ?? '').toBe('completed');
        expect(r.provider).toBe(c.answeredBy);
      }

      // 4. Upstreams saw Sluice's provider key, never the CLI's, and the failover path was really taken.
      const answering = c.upstreams.findIndex((u) => u.id === c.answeredBy);
      expect(upstreams[answering]!.requests.length).toBeGreaterThan(0);
      for (const [i, u] of upstreams.entries()) {
        if (c.upstreams[i]!.mode !== 'ok')
          expect(u.requests.length, `${c.upstreams[i]!.id} was not tried`).toBeGreaterThan(0);
        for (const r of u.requests) {
          const sent = JSON.stringify(r.headers) + r.url;
          expect(sent).not.toContain(CLIENT_KEYS[kind]);
          expect(sent).toContain(`sk-upstream-${c.upstreams[i]!.id}`);
        }
      }
      report.passed = true;
    } finally {
      await tee.close();
      await sluice.close();
      await Promise.all(upstreams.map((u) => u.close()));
    }
  });
});
