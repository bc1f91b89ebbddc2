import { describe, expect, it } from 'vitest';
import type { ApiFormat } from '../../../src/shared/api-format';
import { adapterFor, type TextSplitter } from '../../../src/formats';
import { createFrameSplitter, parseFrame } from '../../../src/main/proxy/sse-frames';
import { fixtures, type Fixture } from '../../support/fixtures';

const textSplitter = (format: ApiFormat): TextSplitter => adapterFor(format).createTextSplitter();

type Json = Record<string, unknown>;

const segmenter = new Intl.Segmenter(undefined, { granularity: 'grapheme' });
const graphemes = (s: string): number => [...segmenter.segment(s)].length;

const FAMILY = '👨‍👩‍👧‍👦';
/** 50 grapheme clusters, 5 of them multi-code-point. */
const TEXT = `Hé${FAMILY}llo 🇯🇵 wörld, e\u0301 東京🗼 ok 👍🏽 fin. abcdefghijklmnop`;

/** One piece of a split, parsed back the way a client does. */
interface Piece {
  event: string | undefined;
  json: Json;
}

function pieces(out: { frames: string[]; pieces: number }): Piece[] {
  const malformed = out.frames.filter((f) => !f.endsWith('\n\n') || /\n\n|\r/.test(f.slice(0, -2)));
  expect(malformed).toEqual([]);
  return out.frames.map((f) => {
    const { event, data } = parseFrame(f);
    return { event, json: JSON.parse(data!) as Json };
  });
}

/** The split, or a failure when the splitter left the event alone. */
function split(s: TextSplitter, event: string | undefined, value: unknown, max: number): Piece[] {
  const out = s.split(event, JSON.stringify(value), max);
  expect(out).not.toBeNull();
  expect(out!.frames).toHaveLength(out!.pieces);
  return pieces(out!);
}

/** Checks pieces against one segmentation of the whole text: ≤ max clusters each, cut only between clusters. */
function expectPiecesOf(texts: string[], whole: string, max: number): void {
  const starts = [...segmenter.segment(whole)].map((x) => x.index);
  const isStart = new Set(starts);
  const problems: string[] = [];
  if (texts.join('') !== whole) problems.push('pieces do not reassemble the text');
  if (texts.length !== Math.ceil(starts.length / max)) problems.push(`${texts.length} pieces`);
  let at = 0;
  for (const t of texts) {
    if (!isStart.has(at)) problems.push(`piece at ${at} starts inside a grapheme cluster`);
    const n = starts.filter((i) => i >= at && i < at + t.length).length;
    if (n < 1 || n > max) problems.push(`piece at ${at} holds ${n} clusters`);
    at += t.length;
  }
  expect(problems, JSON.stringify(texts)).toEqual([]);
}

const chat = (delta: Json, extra: Json = {}, choice: Json = {}): Json => ({
  id: 'c1',
  object: 'chat.completion.chunk',
  created: 1,
  model: 'm',
  choices: [{ index: 0, delta, logprobs: null, finish_reason: null, ...choice }],
  ...extra,
});

describe('OpenAI Chat splitter', () => {
  const s = (): TextSplitter => textSplitter('openai-chat');

  it('splits delta.content into pieces of at most max graphemes that reassemble the text', () => {
    for (const max of [1, 3, 7, 20]) {
      const out = split(s(), undefined, chat({ content: TEXT }), max);
      expectPiecesOf(
        out.map((p) => (p.json.choices as Json[])[0]!.delta as Json).map((d) => d.content as string),
        TEXT,
        max,
      );
      for (const p of out) {
        expect(p.event).toBeUndefined();
        expect({ ...p.json, choices: null }).toEqual({ ...chat({}), choices: null });
        expect((p.json.choices as Json[])[0]).toMatchObject({ index: 0, logprobs: null });
      }
    }
  });

  it('puts the role only on the first piece, finish_reason and usage only on the last', () => {
    const usage = { prompt_tokens: 3, completion_tokens: 9, total_tokens: 12 };
    const out = split(
      s(),
      undefined,
      chat({ role: 'assistant', content: TEXT }, { usage }, { finish_reason: 'stop' }),
      10,
    );
    expect(out.length).toBe(5);
    for (const [i, p] of out.entries()) {
      const choice = (p.json.choices as Json[])[0]!;
      const delta = choice.delta as Json;
      expect('role' in delta).toBe(i === 0);
      if (i === 0) expect(delta.role).toBe('assistant');
      expect(choice.finish_reason).toBe(i === out.length - 1 ? 'stop' : null);
      expect(p.json.usage).toEqual(i === out.length - 1 ? usage : null);
    }
  });

  it('keeps a usage:null chunk null on every piece and adds no field the chunk did not have', () => {
    const out = split(s(), undefined, chat({ content: TEXT }, { usage: null, obfuscation: 'x' }), 25);
    expect(out.map((p) => Object.keys(p.json))).toEqual([
      ['id', 'object', 'created', 'model', 'choices', 'usage', 'obfuscation'],
      ['id', 'object', 'created', 'model', 'choices', 'usage', 'obfuscation'],
    ]);
    expect(out.every((p) => p.json.usage === null)).toBe(true);
  });

  it('accepts an explicit `event: message`', () => {
    expect(split(s(), 'message', chat({ content: TEXT }), 25)).toHaveLength(2);
  });

  it('splits a text delta whose other fields are empty (OpenRouter, DeepSeek)', () => {
    for (const delta of [
      { content: TEXT, tool_calls: [] },
      { content: TEXT, refusal: null },
      { content: TEXT, reasoning: null, reasoning_details: [] },
    ]) {
      const r = textSplitter('openai-chat').split(undefined, JSON.stringify(chat(delta)), 3);
      expect(r?.pieces).toBeGreaterThan(1);
    }
  });

  it('leaves everything but a pure single-choice text delta alone', () => {
    const toolCall = chat({
      tool_calls: [
        {
          index: 0,
          id: 'call_1',
          type: 'function',
          function: { name: 'f', arguments: '{"a":"' + 'x'.repeat(60) + '"}' },
        },
      ],
    });
    const cases: [string | undefined, string][] = [
      [undefined, JSON.stringify(toolCall)],
      [undefined, JSON.stringify(chat({ reasoning_content: TEXT }))],
      [undefined, JSON.stringify(chat({ content: null }))],
      [undefined, JSON.stringify({ ...chat({ content: TEXT }), choices: [] })],
      [
        undefined,
        JSON.stringify({
          ...chat({ content: TEXT }),
          choices: [
            { index: 0, delta: { content: TEXT } },
            { index: 1, delta: { content: TEXT } },
          ],
        }),
      ],
      [undefined, JSON.stringify({ ...chat({ content: TEXT }), error: { message: 'boom' } })],
      [
        undefined,
        JSON.stringify({ choices: [], usage: { prompt_tokens: 1, completion_tokens: 2, total_tokens: 3 } }),
      ],
      ['error', JSON.stringify(chat({ content: TEXT }))],
      [undefined, '[DONE]'],
      [undefined, `{"choices":[{"delta":{"content":"${'x'.repeat(40)}"`],
      [undefined, JSON.stringify([chat({ content: TEXT })])],
    ];
    for (const [event, data] of cases) expect(s().split(event, data, 3), data).toBeNull();
    expect(s().split(undefined, JSON.stringify(chat({ content: 'short' })), 5)).toBeNull();
  });

  it('keeps log-probs on the first piece only, so they are not counted once per piece', () => {
    const logprobs = {
      content: [{ token: 'Hello', logprob: -0.1, bytes: [72], top_logprobs: [] }],
      refusal: null,
    };
    const out = split(s(), undefined, chat({ content: TEXT }, {}, { logprobs }), 10);
    const all = out.flatMap(
      (p) =>
        (((p.json.choices as Json[])[0]!.logprobs as Json | null)?.content as unknown[] | undefined) ?? [],
    );
    expect(all).toEqual(logprobs.content);
  });
});

const respDelta = (delta: string, seq: number | null, extra: Json = {}): Json => ({
  type: 'response.output_text.delta',
  item_id: 'msg_1',
  output_index: 0,
  content_index: 0,
  delta,
  ...(seq === null ? {} : { sequence_number: seq }),
  ...extra,
});

describe('OpenAI Responses splitter', () => {
  it('splits output_text deltas keeping item, output and content ids, numbering pieces consecutively', () => {
    const s = textSplitter('openai-responses');
    const out = split(s, 'response.output_text.delta', respDelta(TEXT, 7), 10);
    expectPiecesOf(
      out.map((p) => p.json.delta as string),
      TEXT,
      10,
    );
    for (const [i, p] of out.entries()) {
      expect(p.event).toBe('response.output_text.delta');
      expect(p.json).toEqual(respDelta(p.json.delta as string, 7 + i));
    }
  });

  it('shifts the sequence number of every later event by the pieces added so far, and only that', () => {
    const s = textSplitter('openai-responses');
    const before = '{"type":"response.content_part.added","item_id":"msg_1","sequence_number":3}';
    expect(s.split('response.content_part.added', before, 10)).toBeNull();
    split(s, 'response.output_text.delta', respDelta(TEXT, 4), 10); // 5 pieces: 4..8, shift 4
    const args =
      '{"type":"response.function_call_arguments.delta","item_id":"fc_1","delta":"{\\"city\\":\\"Paris, France\\"}","sequence_number":5}';
    const shifted = s.split('response.function_call_arguments.delta', args, 10);
    expect(shifted).toEqual({
      frames: [
        `event: response.function_call_arguments.delta\ndata: ${args.replace('"sequence_number":5', '"sequence_number":9')}\n\n`,
      ],
      pieces: 1,
    });
    const second = split(s, 'response.output_text.delta', respDelta(TEXT, 6), 25); // 2 pieces: 10, 11
    expect(second.map((p) => p.json.sequence_number)).toEqual([10, 11]);
    const done = '{"type":"response.completed","sequence_number":7,"response":{"id":"r","output":[]}}';
    expect(s.split('response.completed', done, 10)!.frames[0]).toBe(
      `event: response.completed\ndata: ${done.replace(':7,', ':12,')}\n\n`,
    );
    // Short deltas are not split but are renumbered too.
    expect(
      pieces(s.split('response.output_text.delta', JSON.stringify(respDelta('ab', 8)), 10)!)[0]!.json,
    ).toEqual(respDelta('ab', 13));
  });

  it('gives each response its own numbering: a fresh splitter starts unshifted', () => {
    const a = textSplitter('openai-responses');
    split(a, 'response.output_text.delta', respDelta(TEXT, 1), 10);
    const b = textSplitter('openai-responses');
    expect(b.split('response.completed', '{"type":"response.completed","sequence_number":2}', 10)).toBeNull();
  });

  it('keeps log-probs with the first piece only', () => {
    const s = textSplitter('openai-responses');
    const logprobs = [{ token: 'x', logprob: -1, bytes: [120], top_logprobs: [] }];
    const out = split(s, 'response.output_text.delta', respDelta(TEXT, 1, { logprobs }), 25);
    expect(out.map((p) => p.json.logprobs)).toEqual([logprobs, []]);
  });

  it('splits deltas without a sequence number without inventing one', () => {
    const s = textSplitter('openai-responses');
    const out = split(s, 'response.output_text.delta', respDelta(TEXT, null), 25);
    expect(out.map((p) => 'sequence_number' in p.json)).toEqual([false, false]);
  });

  it('leaves reasoning, refusal, argument and other deltas as they are', () => {
    const s = textSplitter('openai-responses');
    for (const type of [
      'response.reasoning_summary_text.delta',
      'response.reasoning_text.delta',
      'response.refusal.delta',
      'response.function_call_arguments.delta',
      'response.audio.transcript.delta',
      'response.output_text.done',
    ]) {
      expect(s.split(type, JSON.stringify({ ...respDelta(TEXT, 1), type }), 3)).toBeNull();
    }
    expect(s.split('response.output_text.delta', JSON.stringify(respDelta('abc', 1)), 3)).toBeNull();
    expect(
      s.split('response.output_text.delta', '{"type":"response.output_text.delta","delta":', 3),
    ).toBeNull();
  });
});

const anthText = (text: string, index = 0): Json => ({
  type: 'content_block_delta',
  index,
  delta: { type: 'text_delta', text },
});

describe('Anthropic splitter', () => {
  const s = (): TextSplitter => textSplitter('anthropic');

  it('splits text_delta events keeping the event name and block index', () => {
    for (const max of [1, 4, 20]) {
      const out = split(s(), 'content_block_delta', anthText(TEXT, 2), max);
      expectPiecesOf(
        out.map((p) => (p.json.delta as Json).text as string),
        TEXT,
        max,
      );
      for (const p of out) {
        expect(p.event).toBe('content_block_delta');
        expect(p.json).toEqual(anthText((p.json.delta as Json).text as string, 2));
      }
    }
  });

  it('leaves thinking, signatures, tool input, other events and nameless frames alone', () => {
    const long = 'x'.repeat(80);
    const cases: [string | undefined, Json][] = [
      [
        'content_block_delta',
        { type: 'content_block_delta', index: 0, delta: { type: 'thinking_delta', thinking: long } },
      ],
      [
        'content_block_delta',
        { type: 'content_block_delta', index: 0, delta: { type: 'signature_delta', signature: long } },
      ],
      [
        'content_block_delta',
        {
          type: 'content_block_delta',
          index: 1,
          delta: { type: 'input_json_delta', partial_json: `{"text_delta":"${long}"}` },
        },
      ],
      [
        'content_block_start',
        { type: 'content_block_start', index: 0, content_block: { type: 'text', text: long } },
      ],
      [
        'message_delta',
        {
          type: 'message_delta',
          delta: { stop_reason: 'end_turn' },
          usage: { output_tokens: 5 },
          text_delta: long,
        },
      ],
      [undefined, anthText(TEXT)],
      ['error', { type: 'error', error: { type: 'overloaded_error', message: long }, text_delta: 1 }],
    ];
    for (const [event, value] of cases) expect(s().split(event, JSON.stringify(value), 3)).toBeNull();
    expect(s().split('content_block_delta', JSON.stringify(anthText('short')), 5)).toBeNull();
  });
});

const gemChunk = (parts: Json[], cand: Json = {}, extra: Json = {}): Json => ({
  candidates: [{ content: { parts, role: 'model' }, index: 0, ...cand }],
  modelVersion: 'gemini-x',
  responseId: 'r1',
  ...extra,
});

describe('Gemini splitter', () => {
  const s = (): TextSplitter => textSplitter('gemini');

  it('splits a single text part; finishReason, safety ratings and usage only on the last piece', () => {
    const safetyRatings = [{ category: 'HARM_CATEGORY_HATE_SPEECH', probability: 'NEGLIGIBLE' }];
    const usageMetadata = { promptTokenCount: 3, candidatesTokenCount: 9, totalTokenCount: 12 };
    const chunk = gemChunk([{ text: TEXT }], { finishReason: 'STOP', safetyRatings }, { usageMetadata });
    const out = split(s(), undefined, chunk, 7);
    const texts = out.map(
      (p) => (((p.json.candidates as Json[])[0]!.content as Json).parts as Json[])[0]!.text as string,
    );
    expectPiecesOf(texts, TEXT, 7);
    for (const [i, p] of out.entries()) {
      const last = i === out.length - 1;
      const cand = (p.json.candidates as Json[])[0]!;
      expect(cand.finishReason).toBe(last ? 'STOP' : undefined);
      expect(cand.safetyRatings).toEqual(last ? safetyRatings : undefined);
      expect(p.json.usageMetadata).toEqual(last ? usageMetadata : undefined);
      expect(p.json).toMatchObject({ modelVersion: 'gemini-x', responseId: 'r1' });
      expect(cand).toMatchObject({ index: 0, content: { role: 'model', parts: [{ text: texts[i] }] } });
    }
  });

  it('leaves thoughts, signatures, function calls, several parts or candidates and errors alone', () => {
    const long = TEXT + TEXT;
    const cases: Json[] = [
      gemChunk([{ text: long, thought: true }]),
      gemChunk([{ text: long, thoughtSignature: 'c2ln' }]),
      gemChunk([{ functionCall: { name: 'f', args: { text: long } } }]),
      gemChunk([{ text: long }, { text: long }]),
      { candidates: [gemChunk([{ text: long }]).candidates, gemChunk([{ text: long }]).candidates].flat() },
      { ...gemChunk([{ text: long }]), error: { code: 500, message: 'x' } },
      { promptFeedback: { blockReason: 'SAFETY' }, text: long },
    ];
    for (const value of cases) expect(s().split(undefined, JSON.stringify(value), 3)).toBeNull();
    expect(s().split('error', JSON.stringify(gemChunk([{ text: long }])), 3)).toBeNull();
    expect(s().split(undefined, JSON.stringify(gemChunk([{ text: 'short' }])), 5)).toBeNull();
  });
});

/** The frames of a whole fixture, as the relay's frame splitter cuts them. */
function framesOf(fx: Fixture): string[] {
  const f = createFrameSplitter();
  const out = f.push(fx.sse).map((fr) => fr.bytes.toString('utf8'));
  const rest = f.end();
  if (rest !== null) out.push(rest.bytes.toString('utf8'));
  return out;
}

const FORMAT: Record<Fixture['folder'], ApiFormat> = {
  openai_chat: 'openai-chat',
  responses: 'openai-responses',
  anthropic: 'anthropic',
  gemini: 'gemini',
};

/** The text of a pure text delta by this test's own reading of each format, else null. */
function pureText(folder: Fixture['folder'], event: string | undefined, json: Json): string | null {
  const str = (v: unknown): string | null => (typeof v === 'string' ? v : null);
  switch (folder) {
    case 'openai_chat': {
      const choices = json.choices as Json[] | undefined;
      if (event !== undefined || !Array.isArray(choices) || choices.length !== 1 || json.error != null)
        return null;
      const delta = choices[0]!.delta as Json | undefined;
      if (!delta || Object.keys(delta).some((k) => k !== 'content' && k !== 'role')) return null;
      return str(delta.content);
    }
    case 'responses':
      return json.type === 'response.output_text.delta' ? str(json.delta) : null;
    case 'anthropic': {
      const delta = json.delta as Json | undefined;
      return event === 'content_block_delta' && delta?.type === 'text_delta' ? str(delta.text) : null;
    }
    case 'gemini': {
      const cands = json.candidates as Json[] | undefined;
      const parts = ((cands?.[0]?.content as Json | undefined)?.parts as Json[] | undefined) ?? [];
      if (event !== undefined || cands?.length !== 1 || parts.length !== 1 || json.error != null) return null;
      return Object.keys(parts[0]!).join() === 'text' ? str(parts[0]!.text) : null;
    }
  }
}

/** The text a piece carries, by format. */
function pieceText(folder: Fixture['folder'], json: Json): string {
  if (folder === 'openai_chat') return ((json.choices as Json[])[0]!.delta as Json).content as string;
  if (folder === 'responses') return json.delta as string;
  if (folder === 'anthropic') return (json.delta as Json).text as string;
  return (((json.candidates as Json[])[0]!.content as Json).parts as Json[])[0]!.text as string;
}

describe('every recorded fixture', () => {
  const all = (['openai_chat', 'responses', 'anthropic', 'gemini'] as const).flatMap((f) => fixtures(f));

  for (const fx of all) {
    it(`${fx.folder}/${fx.name}: splits exactly the pure text deltas, and they reassemble`, () => {
      for (const max of [1, 3, 20]) {
        const s = textSplitter(FORMAT[fx.folder]);
        let shift = 0;
        let lastSeq = -1;
        for (const raw of framesOf(fx)) {
          const { event, data } = parseFrame(raw);
          if (data === null) continue;
          let json: Json | null = null;
          try {
            json = JSON.parse(data) as Json;
          } catch {
            json = null;
          }
          const out = s.split(event, data, max);
          const text = json === null ? null : pureText(fx.folder, event, json);
          if (text === null || graphemes(text) <= max) {
            if (fx.folder !== 'responses' || out === null) {
              expect(out, raw).toBeNull();
              if (typeof json?.sequence_number === 'number') lastSeq = json.sequence_number;
              continue;
            }
            // Responses after a split: the same event, renumbered, nothing else changed.
            expect(shift).toBeGreaterThan(0);
            expect(out.pieces).toBe(1);
            const [p] = pieces(out);
            expect(p!.event).toBe(event);
            const n = (json!.sequence_number as number) + shift;
            expect(p!.json).toEqual({ ...json, sequence_number: n });
            expect(n).toBeGreaterThan(lastSeq);
            lastSeq = n;
            continue;
          }
          expect(out, raw).not.toBeNull();
          const ps = pieces(out!);
          expectPiecesOf(
            ps.map((p) => pieceText(fx.folder, p.json)),
            text,
            max,
          );
          expect(ps.filter((p) => p.event !== event)).toEqual([]);
          if (fx.folder === 'responses' && typeof json!.sequence_number === 'number') {
            const seqs = ps.map((p) => p.json.sequence_number as number);
            expect(seqs).toEqual(seqs.map((_, i) => (json!.sequence_number as number) + shift + i));
            expect(seqs[0]).toBeGreaterThan(lastSeq);
            lastSeq = seqs.at(-1)!;
            shift += ps.length - 1;
          }
        }
      }
    });
  }
});
