import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import type { ApiFormat } from '../../../src/shared/api-format';
import { adapterFor, type StreamFacts } from '../../../src/formats';
import { createSseDecoder } from '../../../src/main/proxy/stages/sse-decode';
import {
  expectedFacts,
  expectedNormalized,
  summarize,
  type Expected,
  type Json,
} from './fixture-expectations';

/**
 * Every recorded stream in test/fixtures/streams, decoded and observed whole, in 1-byte pieces and at
 * seeded random boundaries, must give exactly the facts its .json lists under `expected`.
 */

const STREAMS = join(__dirname, '../../fixtures/streams');
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
  for (let i = 0; i < bytes.length;) {
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
        check(
          format,
          observe(
            format,
            Array.from(bytes, (_b, i) => bytes.subarray(i, i + 1)),
          ),
          fixture,
        );
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
