import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import type { ApiFormat } from '../../../../src/shared/api-format';
import type { NormalizedUsage } from '../../../../src/shared/usage';
import { adapterFor } from '../../../../src/main/proxy/formats/registry';
import type { StreamError, StreamFacts, ToolCallFacts } from '../../../../src/main/proxy/formats/types';
import { createSseDecoder } from '../../../../src/main/proxy/stages/sse-decode';

/**
 * Every recorded stream in test/fixtures/streams, decoded and observed whole, in 1-byte pieces and at
 * seeded random boundaries, must give exactly the facts its .json lists under `expected`.
 */

type Json = Record<string, unknown>;
type Summary = Record<'input' | 'output' | 'total' | 'cache_read' | 'cache_creation' | 'reasoning', number | null>;

const STREAMS = join(__dirname, '../../../fixtures/streams');
const FOLDERS: Record<string, ApiFormat> = {
  openai_chat: 'openai-chat',
  responses: 'openai-responses',
  anthropic: 'anthropic',
  gemini: 'gemini',
};
const SEEDS = [1, 7, 42, 2024, 65537];

/** Mulberry32, so a failing split can be replayed from its seed. */
function prng(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

function randomSplit(bytes: Uint8Array, seed: number): Uint8Array[] {
  const next = prng(seed);
  const out: Uint8Array[] = [];
  for (let i = 0; i < bytes.length; ) {
    // Mostly small pieces (inside lines, CRLFs and UTF-8 sequences), sometimes large ones.
    const len = next() < 0.8 ? 1 + Math.floor(next() * 12) : 1 + Math.floor(next() * 400);
    out.push(bytes.subarray(i, i + len));
    i += len;
  }
  return out;
}

/** Decode + observe, the way the relay's side channel does. Stray non-SSE lines are parsed at the end as one JSON value. */
function observe(format: ApiFormat, chunks: Uint8Array[]): StreamFacts {
  const observer = adapterFor(format).createObserver();
  const stray: string[] = [];
  const decoder = createSseDecoder((event, data) => observer.observeEvent(event, data), {
    onStrayLine: (line) => stray.push(line),
  });
  for (const chunk of chunks) decoder.push(chunk);
  decoder.end();
  if (stray.length > 0) observer.observeJson(JSON.parse(stray.join('\n')));
  return observer.facts;
}

function num(obj: unknown, ...path: string[]): number | null {
  let cur: unknown = obj;
  for (const key of path) cur = cur !== null && typeof cur === 'object' ? (cur as Json)[key] : undefined;
  return typeof cur === 'number' ? cur : null;
}

/** The README's usage_summary table, applied to the observed raw usage. */
function summarize(format: ApiFormat, u: Json): Summary {
  switch (format) {
    case 'openai-chat':
      return {
        input: num(u, 'prompt_tokens'),
        output: num(u, 'completion_tokens'),
        total: num(u, 'total_tokens'),
        cache_read: num(u, 'prompt_tokens_details', 'cached_tokens'),
        cache_creation: null,
        reasoning: num(u, 'completion_tokens_details', 'reasoning_tokens'),
      };
    case 'openai-responses':
      return {
        input: num(u, 'input_tokens'),
        output: num(u, 'output_tokens'),
        total: num(u, 'total_tokens'),
        cache_read: num(u, 'input_tokens_details', 'cached_tokens'),
        cache_creation: null,
        reasoning: num(u, 'output_tokens_details', 'reasoning_tokens'),
      };
    case 'anthropic':
      return {
        input: num(u, 'input_tokens'),
        output: num(u, 'output_tokens'),
        total: null,
        cache_read: num(u, 'cache_read_input_tokens'),
        cache_creation: num(u, 'cache_creation_input_tokens'),
        reasoning: num(u, 'output_tokens_details', 'thinking_tokens'),
      };
    case 'gemini':
      return {
        input: num(u, 'promptTokenCount'),
        output: num(u, 'candidatesTokenCount'),
        total: num(u, 'totalTokenCount'),
        cache_read: num(u, 'cachedContentTokenCount'),
        cache_creation: null,
        reasoning: num(u, 'thoughtsTokenCount'),
      };
  }
}

/** What NormalizedUsage must be, derived independently from the summary (see usage-normalize.ts for the rules). */
function expectedNormalized(format: ApiFormat, s: Summary, raw: Json): NormalizedUsage {
  const base = { cacheWriteTokens: null, cacheWrite5mTokens: null, cacheWrite1hTokens: null };
  switch (format) {
    case 'openai-chat':
    case 'openai-responses':
      return {
        ...base,
        inputTokens: s.input === null ? null : s.input - (s.cache_read ?? 0),
        cacheReadTokens: s.cache_read,
        outputTokens: s.output,
        reasoningTokens: s.reasoning,
      };
    case 'anthropic':
      return {
        inputTokens: s.input,
        cacheReadTokens: s.cache_read,
        cacheWriteTokens: s.cache_creation,
        cacheWrite5mTokens: num(raw, 'cache_creation', 'ephemeral_5m_input_tokens'),
        cacheWrite1hTokens: num(raw, 'cache_creation', 'ephemeral_1h_input_tokens'),
        outputTokens: s.output,
        reasoningTokens: s.reasoning,
      };
    case 'gemini': {
      const prompt = (s.input ?? 0) + (num(raw, 'toolUsePromptTokenCount') ?? 0);
      return {
        ...base,
        inputTokens: prompt - (s.cache_read ?? 0),
        cacheReadTokens: s.cache_read,
        outputTokens: s.output === null && s.reasoning === null ? null : (s.output ?? 0) + (s.reasoning ?? 0),
        reasoningTokens: s.reasoning,
      };
    }
  }
}

interface Expected {
  text: string;
  thinking: string;
  toolCalls: Omit<ToolCallFacts, 'index'>[];
  finishReason: string | null;
  terminal: boolean;
  completed: boolean;
  error: StreamError | null;
  rawUsage: Json | null;
  model: string | null;
  responseId: string | null;
}

/** Maps one fixture's `expected` (named per format, see fixtures README) onto StreamFacts' fields. */
function expectedFacts(format: ApiFormat, e: Json, sse: Json): Expected {
  const str = (v: unknown): string | null => (typeof v === 'string' ? v : null);
  const obj = (v: unknown): Json | null => (v !== null && typeof v === 'object' ? (v as Json) : null);
  const list = (v: unknown): Json[] => (Array.isArray(v) ? (v as Json[]) : []);
  const common = { text: str(e.text) ?? '', rawUsage: obj(e.usage), completed: e.completed === true };
  switch (format) {
    case 'openai-chat': {
      const err = obj(e.error);
      return {
        ...common,
        thinking: str(e.reasoning_content) ?? '',
        toolCalls: list(e.tool_calls).map((t) => ({ id: str(t.id), name: str(t.name), arguments: str(t.arguments) ?? '' })),
        finishReason: str(e.finish_reason),
        terminal: e.finish_reason !== null || e.done_marker === true,
        error: err && { type: str(err.type), message: str(err.message) ?? '', status: typeof err.code === 'number' ? err.code : null },
        model: str(e.model),
        responseId: str(e.id),
      };
    }
    case 'openai-responses': {
      const event = obj(e.error_event);
      const failed = obj(e.error);
      return {
        ...common,
        thinking: str(e.reasoning_summary) ?? '',
        toolCalls: list(e.function_calls).map((t) => ({ id: str(t.call_id), name: str(t.name), arguments: str(t.arguments) ?? '' })),
        finishReason: str(e.status),
        terminal: e.terminal_event !== null,
        // The observer keeps the first error: the `error` event when there is one, else response.error.
        error: event
          ? { type: str(event.type), message: str(event.message) ?? '', status: null }
          : failed && { type: str(failed.code), message: str(failed.message) ?? '', status: null },
        model: str(e.model),
        responseId: str(e.response_id),
      };
    }
    case 'anthropic': {
      const err = obj(e.error);
      return {
        ...common,
        thinking: str(e.thinking) ?? '',
        toolCalls: list(e.tool_calls).map((t) => ({ id: str(t.id), name: str(t.name), arguments: str(t.arguments) ?? '' })),
        finishReason: str(e.stop_reason),
        terminal: num(sse, 'event_names', 'message_stop') !== null,
        error: err && { type: str(err.type), message: str(err.message) ?? '', status: null },
        model: str(e.model),
        responseId: str(e.message_id),
      };
    }
    case 'gemini': {
      // An unframed error (bare JSON after the events) reaches the observer through the stray lines.
      const err = obj(e.error) ?? obj(e.unframed_error);
      return {
        ...common,
        thinking: str(e.thought_text) ?? '',
        toolCalls: list(e.function_calls).map((t) => ({ id: str(t.id), name: str(t.name), arguments: str(t.args_json) ?? '' })),
        finishReason: str(e.finish_reason) ?? str(e.block_reason),
        terminal: e.finish_reason !== null || e.block_reason !== null,
        error: err && { type: str(err.status), message: str(err.message) ?? '', status: num(err, 'code') },
        model: str(e.model_version),
        responseId: str(e.response_id),
      };
    }
  }
}

function check(format: ApiFormat, facts: StreamFacts, fixture: Json): void {
  const e = fixture.expected as Json;
  const sse = fixture.sse as Json;
  const want = expectedFacts(format, e, sse);
  const got: Expected = {
    text: facts.text,
    thinking: facts.thinking,
    toolCalls: facts.toolCalls.map(({ id, name, arguments: args }) => ({ id, name, arguments: args })),
    finishReason: facts.finishReason,
    terminal: facts.terminal,
    completed: facts.completed,
    error: facts.error,
    rawUsage: facts.rawUsage,
    model: facts.model,
    responseId: facts.responseId,
  };
  expect(got).toEqual(want);
  // The unframed Gemini error is one more (JSON) observation than the SSE events.
  expect(facts.events).toBe((sse.events_dispatched as number) + (e.unframed_error ? 1 : 0));
  const hasContent = want.text !== '' || want.thinking !== '' || want.toolCalls.length > 0;
  expect(facts.contentEvents > 0).toBe(hasContent);
  // Tool calls keep their response positions in order.
  const indexes = facts.toolCalls.map((t) => t.index);
  expect([...indexes].sort((a, b) => a - b)).toEqual(indexes);

  if (facts.rawUsage === null) {
    expect(e.usage_summary).toBeNull();
    expect(Object.values(facts.usage).every((v) => v === null)).toBe(true);
    return;
  }
  const summary = summarize(format, facts.rawUsage);
  expect(summary).toEqual(e.usage_summary);
  // Compaction iterations are summed (usage-normalize.ts); that case has its own test below.
  if (format === 'anthropic' && Array.isArray(facts.rawUsage.iterations)) return;
  expect(facts.usage).toEqual(expectedNormalized(format, summary, facts.rawUsage));
}

const fixtures = Object.entries(FOLDERS).flatMap(([folder, format]) =>
  readdirSync(join(STREAMS, folder))
    .filter((f) => f.endsWith('.sse'))
    .sort()
    .map((f) => ({
      format,
      name: `${folder}/${f.slice(0, -4)}`,
      bytes: new Uint8Array(readFileSync(join(STREAMS, folder, f))),
      fixture: JSON.parse(readFileSync(join(STREAMS, folder, `${f.slice(0, -4)}.json`), 'utf8')) as Json,
    })),
);

describe('format observers over the recorded streams (test/fixtures/streams)', () => {
  it('finds all 35 fixtures', () => {
    expect(fixtures).toHaveLength(35);
  });

  for (const { format, name, bytes, fixture } of fixtures) {
    describe(name, () => {
      it('whole body', () => {
        check(format, observe(format, [bytes]), fixture);
      });

      it('one byte at a time', () => {
        check(format, observe(format, Array.from(bytes, (_b, i) => bytes.subarray(i, i + 1))), fixture);
      });

      it(`random boundaries, seeds ${SEEDS.join(', ')}`, () => {
        for (const seed of SEEDS) check(format, observe(format, randomSplit(bytes, seed)), fixture);
      });
    });
  }

  it('sums Anthropic compaction iterations into the normalised usage', () => {
    const f = fixtures.find((x) => x.name.endsWith('compaction-cache-read-iterations'))!;
    expect(observe('anthropic', [f.bytes]).usage).toEqual({
      inputTokens: 100 + 181,
      cacheReadTokens: 55096,
      cacheWriteTokens: 0,
      cacheWrite5mTokens: 0,
      cacheWrite1hTokens: 0,
      outputTokens: 83 + 8,
      reasoningTokens: null,
    });
  });
});
