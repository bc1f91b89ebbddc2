import fs from 'node:fs';
import path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import type { NormalizedUsage, UsageRow } from '../../src/shared/usage';
import { FakeUpstream, type FakeReply, type RecordedRequest } from '../support/fake-upstream';
import {
  CLIENT_KEYS,
  CLIENTS_DIR,
  TOOLS,
  installedVersion,
  runTool,
  type RunOptions,
  type ToolRun,
  type ToolSpec,
} from './support/clients';
import {
  CHAT_MAX_TOKENS,
  CHAT_USAGE,
  MESSAGES_USAGE,
  MESSAGES_WHOLE_USAGE,
  chatMessages,
  chatText,
  chatUpstream,
  messagesUpstream,
  type ChatMessage,
} from './support/fake-translated';
import { gatewayBehindTee } from './support/gateway';
import { describeExchange, describeUpstreamRequest } from './support/report';
import { decodedBody, type Exchange } from './support/tee';

/**
 * The real CLIs served by a provider of another wire format (issue #16 §5): Claude Code (Anthropic
 * Messages) by a Chat-only provider, with a tool-using turn; Codex (Responses only) by a Chat-only and
 * by an Anthropic provider; Gemini CLI by an Anthropic provider. Sluice translates each request and
 * each answer; the fakes on 127.0.0.1 speak only their own format.
 */

type Wire = 'chat' | 'messages';

/** The one provider of a case, of another format than the CLI's, whose `models` maps every model. */
interface ProviderSpec {
  id: string;
  wire: Wire;
  upstreamModel: string;
}

const CHAT_PROVIDER: ProviderSpec = { id: 'chat-only', wire: 'chat', upstreamModel: 'deepseek-chat' };
const MESSAGES_PROVIDER: ProviderSpec = {
  id: 'anthropic-only',
  wire: 'messages',
  upstreamModel: 'claude-upstream-model',
};

const providerKey = (p: ProviderSpec): string => `sk-upstream-${p.id}`;

function providerConfig(p: ProviderSpec, url: string): Record<string, unknown> {
  return p.wire === 'chat'
    ? {
        id: p.id,
        kind: 'openai',
        baseUrl: `${url}/v1`,
        apiKey: providerKey(p),
        formats: ['chat'],
        models: { '*': p.upstreamModel },
        // What a user sets for DeepSeek: Claude Code asks 128K output tokens, deepseek-chat takes 8K.
        maxOutputTokens: CHAT_MAX_TOKENS,
      }
    : {
        id: p.id,
        kind: 'anthropic',
        baseUrl: url,
        apiKey: providerKey(p),
        models: { '*': p.upstreamModel },
      };
}

/** The path a provider of `wire` is sent a generation under, and the header its key travels in. */
const UPSTREAM_PATH: Record<Wire, string> = { chat: '/v1/chat/completions', messages: '/v1/messages' };
const KEY_HEADER: Record<Wire, { name: string; value: (key: string) => string }> = {
  chat: { name: 'authorization', value: (k) => `Bearer ${k}` },
  messages: { name: 'x-api-key', value: (k) => k },
};
/** Credential headers of the other vendors: none may reach a provider of this wire. */
const FOREIGN_CREDENTIALS: Record<Wire, string[]> = {
  chat: ['x-api-key', 'x-goog-api-key', 'api-key'],
  messages: ['authorization', 'x-goog-api-key', 'api-key'],
};
/** Header prefixes of other vendors that a translated request must not carry. */
const FOREIGN_PREFIXES: Record<Wire, string[]> = {
  chat: ['anthropic-', 'x-goog-', 'x-stainless-'],
  messages: ['openai-', 'x-goog-', 'x-stainless-'],
};

const tool = (client: ToolSpec['client']): ToolSpec => {
  const spec = TOOLS.find((t) => t.client === client);
  if (spec === undefined) throw new Error(`no tool ${client}`);
  return spec;
};
const versionOf = (spec: ToolSpec): string =>
  fs.existsSync(path.join(CLIENTS_DIR, 'node_modules', spec.pkg)) ? installedVersion(spec) : '';

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
  forwarded: Record<string, unknown>[];
  usage: Partial<UsageRow>[];
}

const reports: CaseReport[] = [];

afterAll(() => {
  const file = path.join(CLIENTS_DIR, 'last-run-translated.json');
  fs.writeFileSync(file, JSON.stringify(reports, null, 2));
  const lines = reports.map(
    (r) =>
      `${r.passed ? 'PASS' : 'FAIL'}  ${r.client.padEnd(12)} ${r.version.padEnd(10)} ${r.case.padEnd(22)} ` +
      `${String(r.durationMs).padStart(6)} ms  net: ${
        r.network === null
          ? 'not traced'
          : Object.keys(r.network.destinations).length + r.network.dnsNames.length === 0
            ? 'loopback only'
            : JSON.stringify(r.network)
      }`,
  );
  console.log(`\nreal clients through translation (details: ${file})\n${lines.join('\n')}\n`);
});

/** Members of a CLI's request that hold the conversation or tool list; the rest are its settings. */
const BULK = new Set([
  'messages',
  'input',
  'contents',
  'tools',
  'system',
  'instructions',
  'systemInstruction',
]);

/** A request's settings (reasoning, limits, sampling…) without the conversation, for the report. */
function requestSettings(e: Exchange): Record<string, unknown> | null {
  const raw = decodedBody(e.request)?.toString('utf8') ?? '';
  try {
    const json = JSON.parse(raw) as unknown;
    if (json === null || typeof json !== 'object' || Array.isArray(json)) return null;
    return Object.fromEntries(Object.entries(json).filter(([k]) => !BULK.has(k)));
  } catch {
    return null;
  }
}

/** What one case saw: its exchanges with Sluice, the upstream's requests, the usage rows (oldest first). */
interface CaseRun {
  exchanges: Exchange[];
  upstream: RecordedRequest[];
  rows: UsageRow[];
}

/**
 * Starts the fake upstream and Sluice with that one provider, runs the CLI one-shot through the tee,
 * and checks what every case must hold: the CLI exited 0 and printed `answer`; every call it made got
 * a 2xx; every call is a completed usage row of this client, served by the provider with the mapped
 * model; every upstream request went to the format's path with the mapped model, its own key and
 * none of the CLI's credentials or other vendors' headers. Then `check`, the case's own assertions,
 * before the case is reported as passed.
 */
async function runCase(
  c: {
    name: string;
    spec: ToolSpec;
    provider: ProviderSpec;
    reply: (req: RecordedRequest) => FakeReply;
    prompt: string;
    answer: string;
    options?: RunOptions;
  },
  check: (seen: CaseRun) => void,
): Promise<void> {
  const version = versionOf(c.spec);
  expect(version, `${c.spec.pkg} is not installed in ${CLIENTS_DIR}: run npm run test:clients`).not.toBe('');
  const up = await new FakeUpstream(c.reply).start();
  let gateway: Awaited<ReturnType<typeof gatewayBehindTee>>;
  try {
    gateway = await gatewayBehindTee({
      providers: [providerConfig(c.provider, up.url)],
      settings: { smoothing: { enabled: false } },
    });
  } catch (e) {
    await up.close();
    throw e;
  }
  const { sluice, tee } = gateway;
  const report: CaseReport = {
    client: c.spec.client,
    version,
    case: c.name,
    passed: false,
    durationMs: 0,
    exitCode: null,
    stdout: '',
    stderrTail: '',
    network: null,
    sent: [],
    forwarded: [],
    usage: [],
  };
  reports.push(report);
  try {
    const run = await runTool(c.spec, tee.url, sluice.dataDir, c.prompt, c.options);
    const exchanges = tee.exchanges();
    const rows = (await sluice.finishedRows(exchanges.length)).sort((a, b) =>
      a.startedAt.localeCompare(b.startedAt),
    );
    Object.assign(report, {
      durationMs: run.durationMs,
      exitCode: run.code,
      stdout: run.stdout,
      stderrTail: run.stderr.slice(-4000),
      network: run.network,
      sent: exchanges.map((e) => ({
        ...describeExchange(e, c.spec.format),
        settings: requestSettings(e),
        // Translated answers are small: keep them whole, they are what the CLI parsed.
        responseBody: e.response === null ? null : (decodedBody(e.response)?.toString('utf8') ?? null),
      })),
      forwarded: up.requests.map((r) => ({ ...describeUpstreamRequest(r), json: r.json })),
    });
    report.usage = rows.map((r) => ({
      client: r.client,
      format: r.format,
      model: r.model,
      upstreamModel: r.upstreamModel,
      provider: r.provider,
      status: r.status,
      httpStatus: r.httpStatus,
      stream: r.stream,
      usageProvenance: r.usageProvenance,
      inputTokens: r.inputTokens,
      cacheReadTokens: r.cacheReadTokens,
      cacheWriteTokens: r.cacheWriteTokens,
      outputTokens: r.outputTokens,
      error: r.error,
    }));
    const context = `exit ${String(run.code)} ${run.signal ?? ''}\nstdout:\n${run.stdout.slice(-2000)}\nstderr:\n${run.stderr.slice(-3000)}\nsluice:\n${sluice.output().slice(-2000)}`;

    // 1. The CLI ran and printed exactly what the foreign upstream said.
    expect(run.code, context).toBe(0);
    expect(run.stdout.replace(/\r?\n$/, ''), context).toBe(c.answer);

    // 2. Every call went through Sluice and got a 2xx.
    expect(exchanges.length, 'the CLI made no request through Sluice').toBeGreaterThan(0);
    for (const e of exchanges) {
      expect(e.response?.startLine ?? 'no response', e.request.startLine).toMatch(/^HTTP\/1\.1 2\d\d /);
    }

    // 3. Each call is a completed row of this client, served by the foreign provider under the mapped model.
    expect(rows.length, JSON.stringify(report.usage)).toBe(exchanges.length);
    for (const r of rows) {
      const row = JSON.stringify(r);
      expect(r.client, row).toBe(c.spec.client);
      expect(r.format, row).toBe(c.spec.format);
      expect(r.status, row).toBe('completed');
      expect(r.provider, row).toBe(c.provider.id);
      expect(r.upstreamModel, row).toBe(c.provider.upstreamModel);
      expect(r.usageProvenance, row).toBe('reported');
    }

    // 4. The upstream got its own format on its own path, the mapped model, its own key, nothing of the CLI's.
    expect(up.requests.length, 'nothing reached the upstream').toBe(rows.length);
    const key = KEY_HEADER[c.provider.wire];
    for (const r of up.requests) {
      const seen = `${r.method} ${r.url} ${JSON.stringify(r.headers)}`;
      expect(`${r.method} ${r.url}`).toBe(`POST ${UPSTREAM_PATH[c.provider.wire]}`);
      expect((r.json as { model?: unknown } | null)?.model, seen).toBe(c.provider.upstreamModel);
      expect(r.headers[key.name], seen).toBe(key.value(providerKey(c.provider)));
      expect(seen).not.toContain(CLIENT_KEYS[c.spec.kind]);
      expect(r.body).not.toContain(CLIENT_KEYS[c.spec.kind]);
      for (const h of FOREIGN_CREDENTIALS[c.provider.wire]) expect(r.headers[h], seen).toBeUndefined();
      for (const name of Object.keys(r.headers))
        for (const prefix of FOREIGN_PREFIXES[c.provider.wire])
          expect(name.startsWith(prefix), `${name} reached a ${c.provider.wire} provider`).toBe(false);
      if (c.provider.wire === 'messages') expect(r.headers['anthropic-version'], seen).toBeDefined();
    }
    check({ exchanges, upstream: up.requests, rows });
    report.passed = true;
  } finally {
    await tee.close();
    await sluice.close();
    await up.close();
  }
}

/** The row's tokens, in the store's normalised convention. */
const tokens = (r: UsageRow): Partial<NormalizedUsage> => ({
  inputTokens: r.inputTokens,
  cacheReadTokens: r.cacheReadTokens,
  cacheWriteTokens: r.cacheWriteTokens,
  outputTokens: r.outputTokens,
});

// ---------------------------------------------------------------------------------------------
// Claude Code on a Chat-only provider: a tool-using turn.

/** The file Claude Code is asked to read, in its working folder, and the line only that file holds. */
const NOTES_FILE = 'notes.txt';
const NOTES_LINE = 'The code word is périwinkle-7731 🐙.';
const CALL_ID = 'call_00_kXJ3f0pQ9vB2mN7tR4sW1yZ6';
const CLAUDE_FOUND =
  'Sluice translated the tool turn: notes.txt says “périwinkle-7731 🐙” — 東京 👩‍💻.\nSecond line, intact.';
const CLAUDE_MISSING = 'The tool result did not reach the Chat upstream.';

/** The `tool` message of a Chat request that answers `CALL_ID`, if any. */
const toolResultOf = (messages: ChatMessage[]): ChatMessage | undefined =>
  messages.find((m) => m.role === 'tool' && m.tool_call_id === CALL_ID);

describe('claude-code on a Chat-only provider', () => {
  const spec = tool('claude-code');

  it('runs a Read tool call the Chat upstream asked for and prints the answer to its result', async () => {
    let work = '';
    const reply = chatUpstream(
      (req) =>
        chatText(toolResultOf(chatMessages(req))?.content).includes(NOTES_LINE)
          ? CLAUDE_FOUND
          : CLAUDE_MISSING,
      {
        id: CALL_ID,
        name: 'Read',
        arguments: () => JSON.stringify({ file_path: path.join(work, NOTES_FILE) }),
      },
    );
    await runCase(
      {
        name: 'chat, tool turn',
        spec,
        provider: CHAT_PROVIDER,
        reply,
        prompt: `Read ${NOTES_FILE} and tell me its code word.`,
        answer: CLAUDE_FOUND,
        options: {
          extraArgs: ['--allowedTools', 'Read'],
          prepareWork: (dir) => {
            work = dir;
            fs.writeFileSync(path.join(dir, NOTES_FILE), `${NOTES_LINE}\n`);
          },
        },
      },
      ({ exchanges, upstream, rows }) => {
        // Two turns went upstream as Chat streams: the one answered with the call, then the one carrying its result.
        const turns = upstream.filter((r) => (r.json as { stream?: unknown }).stream === true);
        expect(turns.length, JSON.stringify(upstream.map(describeUpstreamRequest))).toBe(2);
        const [first, second] = turns as [RecordedRequest, RecordedRequest];
        // Claude Code asks 128K output tokens; the provider's maxOutputTokens clamps it to what the vendor takes.
        for (const t of turns) expect((t.json as { max_tokens?: unknown }).max_tokens).toBe(CHAT_MAX_TOKENS);
        expect(toolResultOf(chatMessages(first))).toBeUndefined();
        const messages = chatMessages(second);
        const call = messages
          .filter((m) => m.role === 'assistant')
          .flatMap((m) => m.tool_calls ?? [])
          .find((t) => t.id === CALL_ID);
        expect(call, JSON.stringify(messages)).toBeDefined();
        expect(call!.function?.name).toBe('Read');
        expect(JSON.parse(call!.function?.arguments ?? '{}')).toEqual({
          file_path: path.join(work, NOTES_FILE),
        });
        const result = toolResultOf(messages);
        expect(
          result,
          JSON.stringify(messages.map((m) => ({ role: m.role, id: m.tool_call_id }))),
        ).toBeDefined();
        expect(chatText(result!.content)).toContain(NOTES_LINE);
        // The call comes right before its result, as Chat requires.
        expect(messages.indexOf(result!) - 1).toBe(
          messages.findIndex((m) => m.tool_calls?.some((t) => t.id === CALL_ID)),
        );

        // Claude Code saw the call as an Anthropic tool_use block with the upstream's id, ending the turn as a tool stop.
        const answers = exchanges
          .filter((e) => /^POST \/v1\/messages(\?|\s)/.test(e.request.startLine))
          .map((e) => (e.response === null ? '' : (decodedBody(e.response)?.toString('utf8') ?? '')));
        const toolAnswer = answers.find((a) => a.includes('"tool_use"'));
        expect(toolAnswer, answers.join('\n---\n')).toBeDefined();
        expect(toolAnswer).toContain(`"id":"${CALL_ID}"`);
        expect(toolAnswer).toContain('"name":"Read"');
        expect(toolAnswer).toMatch(/"stop_reason":\s*"tool_use"/);

        // Both turns recorded, each with the tokens its Chat answer reported, normalised (cached taken out of input).
        const streamed = rows.filter((r) => r.stream);
        expect(streamed.map(tokens)).toEqual([
          { ...CHAT_USAGE.toolCall.recorded, cacheWriteTokens: null },
          { ...CHAT_USAGE.text.recorded, cacheWriteTokens: null },
        ]);
      },
    );
  });
});

// ---------------------------------------------------------------------------------------------
// Codex (Responses only) on a Chat-only provider and on an Anthropic provider.

const CODEX_FROM_CHAT =
  'Sluice translated this from a Chat-only upstream: naïve façade 🚀, 北京.\nSecond line, intact.';
const CODEX_FROM_MESSAGES =
  'Sluice translated this from an Anthropic upstream: déjà vu ☕, 上海 🧑‍🚀.\nSecond line, intact.';
const GEMINI_FROM_MESSAGES =
  'Sluice translated this from an Anthropic upstream: crème brûlée 🍮, 大阪 🇯🇵.\nSecond line, intact.';
const PROMPT = 'Reply with the sentence your upstream has ready for this test.';

describe('codex on providers of other formats', () => {
  const spec = tool('codex');

  it('prints the answer of a Chat-only provider', async () => {
    await runCase(
      {
        name: 'chat',
        spec,
        provider: CHAT_PROVIDER,
        reply: chatUpstream(() => CODEX_FROM_CHAT),
        prompt: PROMPT,
        answer: CODEX_FROM_CHAT,
      },
      ({ rows, upstream }) => {
        for (const r of upstream) expect((r.json as { stream?: unknown }).stream).toBe(true);
        expect(rows.filter((r) => r.stream).map(tokens)).toEqual([
          { ...CHAT_USAGE.text.recorded, cacheWriteTokens: null },
        ]);
      },
    );
  });

  it('prints the answer of an Anthropic provider', async () => {
    await runCase(
      {
        name: 'anthropic',
        spec,
        provider: MESSAGES_PROVIDER,
        reply: messagesUpstream(CODEX_FROM_MESSAGES, CODEX_FROM_MESSAGES),
        prompt: PROMPT,
        answer: CODEX_FROM_MESSAGES,
      },
      ({ rows, upstream }) => {
        for (const r of upstream) expect((r.json as { stream?: unknown }).stream).toBe(true);
        expect(rows.filter((r) => r.stream).map(tokens)).toEqual([MESSAGES_USAGE.recorded]);
      },
    );
  });
});

// ---------------------------------------------------------------------------------------------
// Gemini CLI on an Anthropic provider.

describe('gemini-cli on an Anthropic provider', () => {
  const spec = tool('gemini-cli');

  it('prints the answer of an Anthropic provider', async () => {
    // Its model router asks, not streamed, for a JSON complexity verdict (its prompt gives the shape; the
    // response schema has no Anthropic counterpart), and a real model answers with that JSON.
    const verdict = JSON.stringify({ complexity_reasoning: 'One bounded step.', complexity_score: 10 });
    await runCase(
      {
        name: 'anthropic',
        spec,
        provider: MESSAGES_PROVIDER,
        reply: messagesUpstream(GEMINI_FROM_MESSAGES, verdict),
        prompt: PROMPT,
        answer: GEMINI_FROM_MESSAGES,
      },
      ({ rows }) => {
        // The verdict came back through the translated whole answer and steered the CLI: a low score picks flash.
        const whole = rows.filter((r) => !r.stream);
        expect(whole.length, JSON.stringify(rows)).toBe(1);
        expect(rows.find((r) => r.stream)?.model, JSON.stringify(rows)).toMatch(/flash/);
        const streamed = rows.filter((r) => r.stream);
        expect(streamed.length, JSON.stringify(rows)).toBeGreaterThan(0);
        for (const r of streamed) expect(tokens(r)).toEqual(MESSAGES_USAGE.recorded);
        for (const r of rows.filter((x) => !x.stream))
          expect(tokens(r)).toEqual(MESSAGES_WHOLE_USAGE.recorded);
      },
    );
  });
});
