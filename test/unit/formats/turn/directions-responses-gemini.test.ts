import { GoogleGenAI } from '@google/genai';
import OpenAI from 'openai';
import { describe, expect, it } from 'vitest';
import { adapterFor } from '../../../../src/formats';
import { geminiTurnCodec } from '../../../../src/formats/gemini/turn';
import { openAiResponsesTurnCodec } from '../../../../src/formats/openai-responses/turn';
import type { StreamFacts } from '../../../../src/formats/types';
import type { TurnCodec, TurnEvent, TurnRequest } from '../../../../src/formats/turn/types';
import { fixtures, type Fixture } from '../../../support/fixtures';
import { decodeFrames, fakeFetch, sseResponse } from '../harness';

/*
 * Golden directions between Responses and Gemini: every recorded stream of one format is decoded
 * into TurnEvents, encoded into the other format, then read back by THAT format's own observer (and
 * by the official SDK's stream reader): the facts must survive — text, reasoning, tool calls, usage
 * in the target's convention (equal once normalised), the stop, and an error's message word for word.
 */

const request = (model: string): TurnRequest => ({
  model,
  system: [],
  messages: [{ role: 'user', parts: [{ type: 'text', text: 'hi' }] }],
  tools: [],
  toolChoice: null,
  parallelToolCalls: null,
  maxOutputTokens: null,
  temperature: null,
  topP: null,
  topK: null,
  stop: [],
  stream: true,
  reasoning: null,
  user: null,
});

/** The TurnEvents a fixture decodes to (its SSE events through the real SSE decoder). */
function decode(codec: TurnCodec, fixture: Fixture): TurnEvent[] {
  const decoder = codec.createStreamDecoder();
  const events: TurnEvent[] = [];
  for (const e of decodeFrames(fixture.sse.toString('utf8'))) events.push(...decoder.event(e.event, e.data));
  events.push(...decoder.end());
  return events;
}

/** Encodes events in uneven batches (1, 2, 3… events a push), as the relay would. */
function encode(
  codec: TurnCodec,
  events: readonly TurnEvent[],
  model: string,
  framing?: 'sse' | 'json-array',
): string {
  const encoder = codec.createStreamEncoder(request(model), framing === undefined ? undefined : { framing });
  let out = '';
  let size = 1;
  for (let i = 0; i < events.length; i += size++) out += encoder.push(events.slice(i, i + size));
  out += encoder.end();
  expect(encoder.end()).toBe('');
  return out;
}

function observeSse(format: 'gemini' | 'openai-responses', text: string): StreamFacts {
  const observer = adapterFor(format).createObserver();
  for (const e of decodeFrames(text)) observer.observeEvent(e.event, e.data);
  return observer.facts;
}

/** Usage as the stored numbers compare: a reasoning or cache count the source left unsaid reads as 0. */
function usageOf(facts: StreamFacts): Record<string, number | null> {
  const u = facts.usage;
  return {
    input: u.inputTokens,
    cacheRead: u.cacheReadTokens ?? 0,
    output: u.outputTokens,
    reasoning: u.reasoningTokens ?? 0,
  };
}

function calls(facts: StreamFacts): { name: string | null; args: unknown }[] {
  return facts.toolCalls.map((c) => ({ name: c.name, args: JSON.parse(c.arguments || '{}') as unknown }));
}

const responsesFixtures = fixtures('responses');
const geminiFixtures = fixtures('gemini');

describe('Responses upstream → Gemini client (every recorded Responses stream)', () => {
  for (const fixture of responsesFixtures) {
    it(`${fixture.name}: the Gemini observer reads the same facts, SSE and JSON array`, () => {
      const source = observeSse('openai-responses', fixture.sse.toString('utf8'));
      const events = decode(openAiResponsesTurnCodec, fixture);
      const sse = encode(geminiTurnCodec, events, 'gemini-2.5-pro', 'sse');
      const target = observeSse('gemini', sse);

      // The JSON-array framing is one JSON value whose elements read the same.
      const array = JSON.parse(encode(geminiTurnCodec, events, 'gemini-2.5-pro', 'json-array')) as unknown[];
      const arrayObserver = adapterFor('gemini').createObserver();
      for (const element of array) arrayObserver.observeJson(element);
      expect(arrayObserver.facts.text).toBe(target.text);
      expect(arrayObserver.facts.error).toEqual(target.error);

      expect(target.text).toBe(source.text);
      expect(target.thinking).toBe(source.thinking);
      expect(calls(target)).toEqual(calls(source));
      if (source.error !== null) {
        expect(target.error?.message).toBe(source.error.message);
        expect(target.completed).toBe(false);
        return;
      }
      expect(usageOf(target)).toEqual(usageOf(source));
      expect(target.finishReason).toBe(source.finishReason === 'incomplete' ? 'MAX_TOKENS' : 'STOP');
      expect(target.completed).toBe(true);
    });
  }

  it('the @google/genai stream reader takes the translated SSE: text, calls and usage', async () => {
    const fixture = responsesFixtures.find((f) => f.name === 'gpt-5-function-call-reasoning-tokens')!;
    const sse = encode(geminiTurnCodec, decode(openAiResponsesTurnCodec, fixture), 'gemini-2.5-pro');
    const client = new GoogleGenAI({
      apiKey: 'test',
      httpOptions: { fetch: fakeFetch(() => sseResponse(sse)), retryOptions: { attempts: 1 } },
    });
    const chunks = [];
    for await (const chunk of await client.models.generateContentStream({
      model: 'gemini-2.5-pro',
      contents: 'hi',
    }))
      chunks.push(chunk);
    const calls = chunks.flatMap((c) => c.functionCalls ?? []);
    expect(calls.map((c) => [c.id, c.name, c.args])).toEqual([
      ['call_CWXgs68YprAjp6t0371hiPOI', 'final_result', { result: 6666 }],
    ]);
    const last = chunks[chunks.length - 1]!;
    expect(last.candidates?.[0]?.finishReason).toBe('STOP');
    // Responses input 53 (0 cached), output 469 of which 448 reasoning → Gemini's split.
    expect(last.usageMetadata).toMatchObject({
      promptTokenCount: 53,
      candidatesTokenCount: 21,
      thoughtsTokenCount: 448,
      totalTokenCount: 522,
    });
  });

  it('the @google/genai reader raises the upstream error with its message word for word', async () => {
    const fixture = responsesFixtures.find((f) => f.name === 'gpt-5-nano-error-insufficient-quota-reframed')!;
    const sse = encode(geminiTurnCodec, decode(openAiResponsesTurnCodec, fixture), 'gemini-2.5-pro');
    const client = new GoogleGenAI({
      apiKey: 'test',
      httpOptions: { fetch: fakeFetch(() => sseResponse(sse)), retryOptions: { attempts: 1 } },
    });
    const run = async (): Promise<void> => {
      const stream = await client.models.generateContentStream({ model: 'm', contents: 'hi' });
      for await (const _chunk of stream) {
        // drain
      }
    };
    await expect(run()).rejects.toThrow(
      /You exceeded your current quota, please check your plan and billing details/,
    );
  });
});

describe('Gemini upstream → Responses client (every recorded Gemini stream)', () => {
  for (const fixture of geminiFixtures) {
    it(`${fixture.name}: the Responses observer reads the same facts`, () => {
      const source = observeSse('gemini', fixture.sse.toString('utf8'));
      const out = encode(openAiResponsesTurnCodec, decode(geminiTurnCodec, fixture), 'gpt-5');
      const target = observeSse('openai-responses', out);

      // Strictly increasing sequence numbers from 0, on every event.
      const seqs = decodeFrames(out).map(
        (e) => (JSON.parse(e.data) as { sequence_number: number }).sequence_number,
      );
      expect(seqs).toEqual(seqs.map((_, i) => i));

      expect(target.text).toBe(source.text);
      expect(target.thinking).toBe(source.thinking);
      expect(calls(target)).toEqual(calls(source));
      expect(target.terminal).toBe(true);
      if (source.rawUsage !== null) expect(usageOf(target)).toEqual(usageOf(source));
      const expected =
        source.toolCalls.length > 0 || source.finishReason === 'STOP' || source.finishReason === null
          ? 'completed'
          : 'incomplete';
      expect(target.finishReason).toBe(expected);
    });
  }

  it('ends a MAX_TOKENS turn as incomplete (max_output_tokens) and SAFETY as incomplete (content_filter)', () => {
    const reasons = ['gemini-2.0-flash-max-tokens-reframed', 'mock-finish-reason-safety'].map((name) => {
      const out = encode(
        openAiResponsesTurnCodec,
        decode(
          geminiTurnCodec,
          geminiFixtures.find((f) => f.name === name)!,
        ),
        'm',
      );
      const last = decodeFrames(out).at(-1)!;
      expect(last.event).toBe('response.incomplete');
      return (JSON.parse(last.data) as { response: { incomplete_details: unknown } }).response
        .incomplete_details;
    });
    expect(reasons).toEqual([{ reason: 'max_output_tokens' }, { reason: 'content_filter' }]);
  });

  for (const name of [
    'gemini-2.0-flash-parallel-function-calls',
    'gemini-thinking-thought-parts',
    'gemini-2.5-flash-server-mcp-cached-tokens-reframed',
  ]) {
    it(`${name}: the openai SDK's responses.stream() helper builds the final Response`, async () => {
      const fixture = geminiFixtures.find((f) => f.name === name)!;
      const source = observeSse('gemini', fixture.sse.toString('utf8'));
      const out = encode(openAiResponsesTurnCodec, decode(geminiTurnCodec, fixture), 'gpt-5');
      const client = new OpenAI({
        apiKey: 'test',
        baseURL: 'http://127.0.0.1:9/v1',
        maxRetries: 0,
        fetch: fakeFetch(() => sseResponse(out)),
      });
      const stream = client.responses.stream({ model: 'gpt-5', input: 'hi' });
      let deltas = '';
      stream.on('response.output_text.delta', (e) => (deltas += e.delta));
      const final = await stream.finalResponse();
      const text = final.output
        .flatMap((o) => (o.type === 'message' ? o.content : []))
        .map((c) => (c.type === 'output_text' ? c.text : ''))
        .join('');
      expect(text).toBe(source.text);
      expect(deltas).toBe(source.text);
      const fns = final.output.filter((o) => o.type === 'function_call');
      expect(fns.map((f) => [f.name, JSON.parse(f.arguments) as unknown])).toEqual(
        source.toolCalls.map((c) => [c.name, JSON.parse(c.arguments) as unknown]),
      );
      // Item ids keep their own prefixes, distinct from call ids.
      for (const f of fns) {
        expect(f.id).toMatch(/^fc_/);
        expect(f.call_id).not.toBe(f.id);
      }
      const summary = final.output
        .filter((o) => o.type === 'reasoning')
        .flatMap((o) => o.summary.map((s) => s.text))
        .join('');
      expect(summary).toBe(source.thinking);
      const u = source.usage;
      expect(final.usage).toMatchObject({
        input_tokens: (u.inputTokens ?? 0) + (u.cacheReadTokens ?? 0),
        input_tokens_details: { cached_tokens: u.cacheReadTokens ?? 0 },
        output_tokens: u.outputTokens,
        output_tokens_details: { reasoning_tokens: u.reasoningTokens ?? 0 },
      });
    });
  }

  it('an upstream error element becomes response.failed with the message word for word', () => {
    const decoder = geminiTurnCodec.createStreamDecoder();
    const events = [
      ...decoder.event(
        undefined,
        JSON.stringify({ candidates: [{ content: { role: 'model', parts: [{ text: 'Hi' }] }, index: 0 }] }),
      ),
      ...decoder.event(
        undefined,
        JSON.stringify({
          error: {
            code: 503,
            message: 'The model is overloaded. Please try again later.',
            status: 'UNAVAILABLE',
          },
        }),
      ),
      ...decoder.end(),
    ];
    const out = encode(openAiResponsesTurnCodec, events, 'm');
    const target = observeSse('openai-responses', out);
    expect(target.text).toBe('Hi');
    expect(target.error?.message).toBe('The model is overloaded. Please try again later.');
    expect(target.finishReason).toBe('failed');
    expect(decodeFrames(out).at(-1)!.event).toBe('response.failed');
  });
});
