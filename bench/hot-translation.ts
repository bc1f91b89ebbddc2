import { performance } from 'node:perf_hooks';
import { adapterFor } from '../src/formats';
import { createSseDecoder } from '../src/main/proxy/stages/sse-decode';
import { createStreamTranslator } from '../src/main/proxy/stages/translate';
import { median } from './stats';
import { anthropicTurn } from './translated';

/*
 * `npm run bench:hot`, translation's part (issue #16 §6): an Anthropic client served by a Chat
 * provider. Per event, the re-encode stage the proxy runs after the commit (the Chat SSE split into
 * events, each decoded into turn events, those written as Anthropic SSE); per request, a large
 * Claude Code body decoded from Anthropic, encoded as Chat and serialized.
 */

/** Issue #16 §6: a 200 KB Claude Code body translates in ≤ 2 ms. */
export const BODY_GOAL_MS = 2;
const BODY_BYTES = 200 * 1024;
const BODY_WARMUP = 30;
const BODY_ROUNDS = 101;

/** One translated stream per call: the stage `translated-output.ts` builds for a streamed Anthropic client. */
export function translateStream(chunks: readonly Buffer[]): void {
  const stage = createStreamTranslator(
    (onEvent) => createSseDecoder((event, data) => onEvent(event, data)),
    adapterFor('openai-chat').turn.createStreamDecoder(),
    adapterFor('anthropic').turn.createStreamEncoder(TURN, { framing: 'sse' }),
  );
  // Each chunk a fresh buffer, as from a socket; the output is what the writer would get.
  for (const c of chunks) stage.push(Buffer.from(c));
  stage.end(true);
}
const TURN = anthropicTurn();

/** A deterministic stream of pseudo-random numbers in [0, 1) (mulberry32), so every run builds the same body. */
function random(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

const WORDS = (
  'the a to of and in is for that with on this it be as are by file function return const value ' +
  'test error type string number config request stream provider model token usage event chunk ' +
  'should will now then check run build path line change read write update fix add remove'
).split(' ');

/** Claude Code's history as it grows: prose, code with quotes, backslashes and newlines, a Bash transcript. */
function texts(r: () => number): { prose: (words: number) => string; code: (lines: number) => string } {
  const word = (): string => WORDS[Math.floor(r() * WORDS.length)]!;
  const prose = (words: number): string => {
    const out: string[] = [];
    for (let i = 0; i < words; i++) out.push(i % 14 === 13 ? `${word()}.` : word());
    return out.join(' ');
  };
  const code = (lines: number): string => {
    const out: string[] = [];
    for (let i = 0; i < lines; i++) {
      const pad = '  '.repeat(Math.floor(r() * 4));
      const pick = Math.floor(r() * 4);
      if (pick === 0) out.push(`${pad}const ${word()}_${i} = "${word()} \\"${word()}\\"\\n";`);
      else if (pick === 1)
        out.push(`${pad}if (${word()} !== null) return ${word()}(${word()}, '${word()}');`);
      else if (pick === 2) out.push(`${pad}// ${prose(8)}`);
      else
        out.push(
          `${pad}${word()}.${word()}({ ${word()}: ${Math.floor(r() * 1e4)}, path: 'C:\\\\tmp\\\\${word()}' });`,
        );
    }
    return out.map((l, i) => `${String(i + 1).padStart(5)}\t${l}`).join('\n');
  };
  return { prose, code };
}

const TOOLS = ['Task', 'Bash', 'Glob', 'Grep', 'Read', 'Edit', 'MultiEdit', 'Write', 'WebFetch', 'TodoWrite'];

/**
 * A Claude Code request body of about `bytes` bytes: a system prompt in blocks (with
 * `cache_control`), its tools with JSON Schemas, thinking on, and a history of turns, each an
 * assistant message with thinking (signed), some text and a tool_use, answered by a user message
 * with its tool_result (file contents, command output, now and then an error), the user's own
 * prompts in between.
 */
export function claudeCodeBody(bytes: number = BODY_BYTES): string {
  const r = random(16);
  const { prose, code } = texts(r);
  const tools = TOOLS.map((name) => ({
    name,
    description: prose(120),
    input_schema: {
      type: 'object',
      properties: {
        [name === 'Bash' ? 'command' : 'file_path']: { type: 'string', description: prose(20) },
        description: { type: 'string', description: prose(15) },
        timeout: { type: 'number', description: prose(10) },
        options: {
          type: 'array',
          items: { type: 'object', properties: { key: { type: 'string' }, value: { type: 'string' } } },
        },
      },
      required: [name === 'Bash' ? 'command' : 'file_path'],
      additionalProperties: false,
      $schema: 'http://json-schema.org/draft-07/schema#',
    },
  }));
  const messages: Record<string, unknown>[] = [
    {
      role: 'user',
      content: [
        { type: 'text', text: `<system-reminder>${prose(150)}</system-reminder>` },
        { type: 'text', text: prose(40) },
      ],
    },
  ];
  const body = {
    model: 'claude-sonnet-4-5-20250929',
    max_tokens: 32000,
    system: [
      {
        type: 'text',
        text: "You are Claude Code, Anthropic's official CLI for Claude.",
        cache_control: { type: 'ephemeral' },
      },
      { type: 'text', text: prose(1800), cache_control: { type: 'ephemeral' } },
    ],
    tools,
    messages,
    thinking: { type: 'enabled', budget_tokens: 31999 },
    metadata: { user_id: 'user_0123456789abcdef_account__session_4f1c2d3e-0000-4000-8000-000000000000' },
    stream: true,
  };
  let size = JSON.stringify(body).length;
  for (let turn = 0; size < bytes; turn++) {
    const id = `toolu_01${turn.toString(36).padStart(22, 'A')}`;
    const tool = TOOLS[turn % TOOLS.length]!;
    const assistant = {
      role: 'assistant',
      content: [
        ...(turn % 3 === 0
          ? [{ type: 'thinking', thinking: prose(60), signature: `Er${'x'.repeat(300)}${turn}==` }]
          : []),
        { type: 'text', text: prose(25) },
        {
          type: 'tool_use',
          id,
          name: tool,
          input: { file_path: `/work/src/${prose(1)}/${turn}.ts`, description: prose(8) },
        },
      ],
    };
    const output = turn % 2 === 0 ? code(30) : `$ npm test\n${prose(80)}\n${code(8)}`;
    const result =
      turn % 7 === 6
        ? { type: 'tool_result', tool_use_id: id, content: `Error: ${prose(20)}`, is_error: true }
        : turn % 2 === 0
          ? { type: 'tool_result', tool_use_id: id, content: output }
          : { type: 'tool_result', tool_use_id: id, content: [{ type: 'text', text: output }] };
    const user = {
      role: 'user',
      content: turn % 5 === 4 ? [result, { type: 'text', text: prose(30) }] : [result],
    };
    messages.push(assistant, user);
    size += JSON.stringify(assistant).length + JSON.stringify(user).length + 2;
  }
  // Claude Code marks the newest message for the prompt cache.
  const last = messages[messages.length - 1]!.content as Record<string, unknown>[];
  last[last.length - 1]!.cache_control = { type: 'ephemeral' };
  return JSON.stringify(body);
}

interface Timed {
  label: string;
  ms: number[];
}

/** The request side of translation on a large body: median ms of each step over the rounds, and the goal. */
export function bodyTranslationReport(): string[] {
  const text = claudeCodeBody();
  const anthropic = adapterFor('anthropic').turn;
  const chat = adapterFor('openai-chat').turn;
  const options = { maxOutputTokens: null, replayReasoning: false };
  const steps: Timed[] = [
    { label: 'JSON.parse (the relay parses too)', ms: [] },
    { label: 'anthropic decodeRequest', ms: [] },
    { label: 'openai-chat encodeRequest', ms: [] },
    { label: 'JSON.stringify', ms: [] },
  ];
  const total: number[] = [];
  let cold = NaN;
  let outBytes = 0;
  let messages = 0;
  for (let i = -BODY_WARMUP; i < BODY_ROUNDS; i++) {
    if (i >= 0 && i % 10 === 0) (globalThis as { gc?: () => void }).gc?.();
    const t0 = performance.now();
    const json = JSON.parse(text) as Record<string, unknown>;
    const t1 = performance.now();
    const turn = { ...anthropic.decodeRequest(json, null), stream: true, model: 'deepseek-chat' };
    const t2 = performance.now();
    const encoded = chat.encodeRequest(turn, options);
    const t3 = performance.now();
    const out = JSON.stringify(encoded);
    const t4 = performance.now();
    if (i === -BODY_WARMUP) cold = t4 - t1;
    if (i < 0) continue;
    [t1 - t0, t2 - t1, t3 - t2, t4 - t3].forEach((ms, k) => steps[k]!.ms.push(ms));
    total.push(t4 - t1);
    outBytes = out.length;
    messages = turn.messages.length;
  }
  const t = median(total);
  const fmt = (ms: number): string => ms.toFixed(3);
  return [
    '',
    `## Translation of a large Claude Code body (Anthropic → Chat), ms, median of ${BODY_ROUNDS} rounds after ${BODY_WARMUP} warm-up`,
    '',
    `Body: ${(text.length / 1024).toFixed(0)} KB, ${messages} messages (system blocks, 10 tools, thinking, tool_use/tool_result turns) → ${(outBytes / 1024).toFixed(0)} KB of Chat.`,
    '',
    '| step | ms p50 | ms p90 |',
    '|---|---|---|',
    ...steps.map((s) => {
      const sorted = [...s.ms].sort((a, b) => a - b);
      return `| ${s.label} | ${fmt(median(s.ms))} | ${fmt(sorted[Math.floor(sorted.length * 0.9)]!)} |`;
    }),
    `| **translation = decode + encode + stringify** | **${fmt(t)}** | |`,
    '',
    `Goal: ≤ ${BODY_GOAL_MS} ms → ${fmt(t)} ms ${t <= BODY_GOAL_MS ? '✓' : '✗'} (first call, before the JIT: ${fmt(cold)} ms).`,
  ];
}
