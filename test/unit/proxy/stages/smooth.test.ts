import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import type { ApiFormat } from '../../../../src/shared/api-format';
import { SmoothingSchema, type SmoothingSettings } from '../../../../src/shared/settings';
import { adapterFor, type TextSplitter } from '../../../../src/formats';
import { createFrameSplitter, parseFrame } from '../../../../src/main/proxy/sse-frames';
import { createSmoother, type SmoothIo, type Smoother } from '../../../../src/main/proxy/stages/smooth';
import { splitBytes } from '../../../support/fake-upstream';
import { fixtures, type Fixture } from '../../../support/fixtures';

type Json = Record<string, unknown>;

const chat = (content: string, finish: string | null = null): string =>
  `data: {"id":"c1","object":"chat.completion.chunk","created":1,"model":"m","choices":[{"index":0,"delta":{"content":${JSON.stringify(content)}},"finish_reason":${finish === null ? 'null' : `"${finish}"`}}],"usage":null}\n\n`;
const toolCall =
  'data: {"id":"c1","object":"chat.completion.chunk","created":1,"model":"m","choices":[{"index":0,"delta":{"tool_calls":[{"index":0,"id":"call_1","type":"function","function":{"name":"get_weather","arguments":"{\\"city\\": \\"Paris, Île-de-France\\"}"}}]},"finish_reason":null}],"usage":null}\n\n';
const usage =
  'data: {"id":"c1","object":"chat.completion.chunk","created":1,"model":"m","choices":[],"usage":{"prompt_tokens":5,"completion_tokens":9,"total_tokens":14}}\n\n';
const DONE = 'data: [DONE]\n\n';

/** `n` ASCII characters, so piece counts are easy to read. */
const letters = (n: number): string => 'abcdefghijklmnopqrstuvwxyz'.repeat(Math.ceil(n / 26)).slice(0, n);

function deferred(): { promise: Promise<void>; resolve: () => void } {
  let resolve: () => void = () => {};
  const promise = new Promise<void>((r) => (resolve = r));
  return { promise, resolve };
}

interface Harness {
  smoother: Smoother;
  /** What reached the client, write by write, with the fake clock's time. */
  writes: { text: string; at: number }[];
  smoothed: { arrivedAt: number; deliveredAt: number[] }[];
  abort: AbortController;
  /** Pushes one upstream chunk; the reader has taken it, so the next one has not arrived yet. */
  push(chunk: string | Buffer): Promise<void>;
  /** The next upstream chunk (or the end) is now available. */
  arrive(): void;
  out(): string;
}

function harness(
  over: Partial<SmoothingSettings>,
  format: ApiFormat = 'openai-chat',
  extra: Partial<SmoothIo> & { maxFrameBytes?: number } = {},
): Harness {
  const settings = SmoothingSchema.parse({ enabled: true, ...over });
  const writes: Harness['writes'] = [];
  const smoothed: Harness['smoothed'] = [];
  const abort = new AbortController();
  let next = deferred();
  const io: SmoothIo = {
    write: (bytes) => {
      writes.push({ text: Buffer.from(bytes).toString('utf8'), at: Date.now() });
      return Promise.resolve();
    },
    upstreamReady: () => next.promise,
    signal: abort.signal,
    now: () => Date.now(),
    onSmoothed: (arrivedAt, deliveredAt) => smoothed.push({ arrivedAt, deliveredAt }),
    ...extra,
  };
  const smoother = createSmoother(
    settings,
    adapterFor(format).createTextSplitter(),
    createFrameSplitter(extra.maxFrameBytes),
    io,
  );
  return {
    smoother,
    writes,
    smoothed,
    abort,
    push(chunk) {
      next = deferred();
      return smoother.push(Buffer.from(chunk));
    },
    arrive: () => next.resolve(),
    out: () => writes.map((w) => w.text).join(''),
  };
}

/** The content of each non-empty Chat text piece written, in order. */
function chatTexts(h: Harness): string[] {
  return h.writes.flatMap((w) => {
    const { data } = parseFrame(w.text);
    if (data === null || data === '[DONE]') return [];
    const choice = (JSON.parse(data) as { choices: Json[] }).choices[0];
    const content = (choice?.delta as Json | undefined)?.content;
    return typeof content === 'string' && content !== '' ? [content] : [];
  });
}

/** Write times relative to `t0`. */
const offsets = (h: Harness, t0: number): number[] => h.writes.map((w) => w.at - t0);

beforeEach(() => {
  vi.useFakeTimers({ now: 1_000_000 });
});
afterEach(() => {
  vi.useRealTimers();
});

describe('smoother: what passes and what is split', () => {
  it('passes non-text events through byte-identical, in order, one write per frame', async () => {
    const h = harness({ mode: 'fixed', chunkChars: 3, delayMs: 5 });
    const input = toolCall + ': keep-alive\n\n' + chat('', 'tool_calls') + usage + DONE;
    await h.push(input);
    expect(h.writes.map((w) => w.text)).toEqual([
      toolCall,
      ': keep-alive\n\n',
      chat('', 'tool_calls'),
      usage,
      DONE,
    ]);
  });

  it('splits a 500-character delta into pieces of chunkChars, the other events untouched around it', async () => {
    const h = harness({ mode: 'fixed', chunkChars: 20, delayMs: 0 });
    const text = letters(500);
    await h.push(toolCall + chat(text) + chat('', 'stop') + usage + DONE);
    const texts = chatTexts(h);
    expect(texts).toHaveLength(25);
    expect(texts.every((t) => t.length === 20)).toBe(true);
    expect(texts.join('')).toBe(text);
    expect(h.writes[0]!.text).toBe(toolCall);
    expect(h.writes.slice(-3).map((w) => w.text)).toEqual([chat('', 'stop'), usage, DONE]);
  });

  it('gives the same bytes for every recorded fixture however the upstream chunks it, LF, CRLF or CR', async () => {
    const formats: Record<Fixture['folder'], ApiFormat> = {
      openai_chat: 'openai-chat',
      responses: 'openai-responses',
      anthropic: 'anthropic',
      gemini: 'gemini',
    };
    const all = (['openai_chat', 'responses', 'anthropic', 'gemini'] as const).flatMap((f) => fixtures(f));
    for (const fx of all) {
      for (const eol of ['as-is', '\r\n', '\r'] as const) {
        const sse =
          eol === 'as-is' ? fx.sse : Buffer.from(fx.sse.toString('utf8').replace(/\r\n|\r|\n/g, eol));
        // Expected: each whole frame either as it came or as the splitter's frames, the tail as it came.
        const ref = createFrameSplitter();
        const splitter = adapterFor(formats[fx.folder]).createTextSplitter();
        const expected =
          ref
            .push(sse)
            .map((f) => {
              const text = f.bytes.toString('utf8');
              const { event, data } = parseFrame(text);
              const r = data === null ? null : splitter.split(event, data, 3, text);
              return r === null ? text : r.frames.join('');
            })
            .join('') + endText(ref.end(), splitter);
        const h = harness({ mode: 'fixed', chunkChars: 3, delayMs: 0 }, formats[fx.folder]);
        for (const part of splitBytes(sse, fx.sse.length, 300)) await h.push(part);
        await h.smoother.end(true);
        expect(h.out(), `${fx.folder}/${fx.name} ${JSON.stringify(eol)}`).toBe(expected);
      }
    }
  });

  it('splits text deltas of CRLF- and CR-framed streams, keeping the other frames byte-identical', async () => {
    for (const eol of ['\r\n', '\r']) {
      const h = harness({ mode: 'fixed', chunkChars: 4, delayMs: 0 });
      const reframe = (s: string): string => s.replaceAll('\n', eol);
      const input = reframe(toolCall + chat('Grüße aus 東京 🗼!') + chat('', 'stop') + DONE);
      for (const part of splitBytes(Buffer.from(input), 7, 5)) await h.push(part);
      await h.smoother.end(true);
      expect(chatTexts(h)).toEqual(['Grüß', 'e au', 's 東京', ' 🗼!']);
      expect(h.writes[0]!.text).toBe(reframe(toolCall));
      expect(h.writes.slice(-2).map((w) => w.text)).toEqual([reframe(chat('', 'stop')), reframe(DONE)]);
    }
  });

  it('smooths the last frame of a CR-framed stream at the end', async () => {
    const h = harness({ mode: 'fixed', chunkChars: 4, delayMs: 0 });
    await h.push(chat('0123456789').replaceAll('\n', '\r'));
    await h.smoother.end(true);
    expect(chatTexts(h)).toEqual(['0123', '4567', '89']);
  });

  it('sends an unfinished last frame as it came at a clean end, and drops it otherwise', async () => {
    const clean = harness({ chunkChars: 3 });
    await clean.push(chat('ab') + 'data: [DONE]');
    await clean.smoother.end(true);
    expect(clean.out()).toBe(chat('ab') + 'data: [DONE]');
    const cut = harness({ chunkChars: 3 });
    await cut.push(chat('ab') + 'data: {"choices":[{"delta":{"content":"partial');
    await cut.smoother.end(false);
    expect(cut.out()).toBe(chat('ab'));
  });

  it('holds no more than maxFrameBytes of an unfinished frame (bounded memory)', async () => {
    const h = harness({ chunkChars: 3 }, 'openai-chat', { maxFrameBytes: 64 });
    const big = `data: {"x":"${'y'.repeat(200)}`;
    await h.push(big);
    expect(h.out()).toBe(big);
  });
});

describe('smoother: fixed pacing', () => {
  it('spaces pieces delayMs apart even though the next upstream event is already waiting', async () => {
    const h = harness({ mode: 'fixed', chunkChars: 20, delayMs: 10 });
    const t0 = Date.now();
    const pushed = h.push(chat(letters(100)));
    h.arrive();
    await vi.advanceTimersByTimeAsync(1_000);
    await pushed;
    expect(offsets(h, t0)).toEqual([0, 10, 20, 30, 40]);
    expect(chatTexts(h).join('')).toBe(letters(100));
  });

  it('does not pass the next event until the pieces before it are out', async () => {
    const h = harness({ mode: 'fixed', chunkChars: 10, delayMs: 7 });
    const t0 = Date.now();
    const pushed = h.push(chat(letters(30)) + toolCall);
    await vi.advanceTimersByTimeAsync(13);
    expect(h.writes).toHaveLength(2);
    await vi.advanceTimersByTimeAsync(1);
    await pushed;
    expect(offsets(h, t0)).toEqual([0, 7, 14, 14]);
    expect(h.writes.at(-1)!.text).toBe(toolCall);
  });

  it('with delayMs 0 writes all pieces at once', async () => {
    const h = harness({ mode: 'fixed', chunkChars: 2, delayMs: 0 });
    const t0 = Date.now();
    await h.push(chat(letters(10)));
    expect(offsets(h, t0)).toEqual([0, 0, 0, 0, 0]);
  });
});

describe('smoother: adaptive pacing', () => {
  it('sends the first piece at once and spreads the rest over maxLagMs while the pace is unknown', async () => {
    const h = harness({ mode: 'adaptive', chunkChars: 10, maxLagMs: 100 });
    const t0 = Date.now();
    const pushed = h.push(chat(letters(50)));
    expect(offsets(h, t0)).toEqual([0]);
    await vi.advanceTimersByTimeAsync(500);
    await pushed;
    expect(offsets(h, t0)).toEqual([0, 20, 40, 60, 80]);
  });

  it('spreads a burst over the gap it expects before the next upstream event', async () => {
    const h = harness({ mode: 'adaptive', chunkChars: 10, maxLagMs: 1_000 });
    await h.push(chat('a'));
    await vi.advanceTimersByTimeAsync(40);
    await h.push(chat('b'));
    await vi.advanceTimersByTimeAsync(40);
    const t0 = Date.now();
    const pushed = h.push(chat(letters(50)));
    await vi.advanceTimersByTimeAsync(1_000);
    await pushed;
    // Gaps of 40 ms → 5 pieces 8 ms apart, all out within the expected gap.
    expect(offsets(h, t0).slice(2)).toEqual([0, 8, 16, 24, 32]);
  });

  it('flushes the rest at once when the next upstream event arrives', async () => {
    const h = harness({ mode: 'adaptive', chunkChars: 10, maxLagMs: 1_000 });
    const t0 = Date.now();
    const pushed = h.push(chat(letters(50)));
    await vi.advanceTimersByTimeAsync(250);
    expect(offsets(h, t0)).toEqual([0, 200]);
    h.arrive();
    await vi.advanceTimersByTimeAsync(0);
    await pushed;
    expect(offsets(h, t0)).toEqual([0, 200, 250, 250, 250]);
    expect(chatTexts(h).join('')).toBe(letters(50));
  });

  it("flushes at once at the upstream's end (nothing more will arrive)", async () => {
    const h = harness({ mode: 'adaptive', chunkChars: 10, maxLagMs: 1_000 });
    const t0 = Date.now();
    const pushed = h.push(chat(letters(50)));
    h.arrive();
    await vi.advanceTimersByTimeAsync(0);
    await pushed;
    expect(offsets(h, t0)).toEqual([0, 0, 0, 0, 0]);
  });

  it('flushes when writing fell maxLagMs behind (a slow client)', async () => {
    const h = harness({ mode: 'adaptive', chunkChars: 10, maxLagMs: 100 }, 'openai-chat', {
      write(bytes) {
        h.writes.push({ text: Buffer.from(bytes).toString('utf8'), at: Date.now() });
        return new Promise((r) => setTimeout(r, 60));
      },
    });
    const t0 = Date.now();
    const pushed = h.push(chat(letters(50)));
    await vi.advanceTimersByTimeAsync(2_000);
    await pushed;
    // 0: first piece; its write takes 60 ms, then 20 ms pause → 80; that write ends at 140 ≥ 100: flush.
    expect(offsets(h, t0)).toEqual([0, 80, 140, 200, 260]);
  });

  it('never holds a piece more than maxLagMs behind its arrival, even with several deltas in one chunk', async () => {
    const h = harness({ mode: 'adaptive', chunkChars: 10, maxLagMs: 300 });
    const t0 = Date.now();
    const pushed = h.push(chat(letters(30)) + chat(letters(20)));
    await vi.advanceTimersByTimeAsync(2_000);
    await pushed;
    expect(chatTexts(h).join('')).toBe(letters(30) + letters(20));
    expect(Math.max(...offsets(h, t0))).toBeLessThanOrEqual(300);
  });
});

describe('smoother: client leaves, backpressure, live marks', () => {
  it('ends a fixed-mode delay at once when the client leaves, writing nothing more', async () => {
    const h = harness({ mode: 'fixed', chunkChars: 10, delayMs: 10_000 });
    let settled = false;
    const pushed = h.push(chat(letters(50)) + DONE).then(() => (settled = true));
    await vi.advanceTimersByTimeAsync(5);
    expect(h.writes).toHaveLength(1);
    h.abort.abort();
    await vi.advanceTimersByTimeAsync(0);
    expect(settled).toBe(true);
    await pushed;
    expect(h.writes).toHaveLength(1);
    expect(h.smoothed).toEqual([]);
    expect(vi.getTimerCount()).toBe(0);
  });

  it('ends an adaptive-mode delay at once when the client leaves', async () => {
    const h = harness({ mode: 'adaptive', chunkChars: 10, maxLagMs: 60_000 });
    let settled = false;
    const pushed = h.push(chat(letters(50))).then(() => (settled = true));
    await vi.advanceTimersByTimeAsync(5);
    h.abort.abort();
    await vi.advanceTimersByTimeAsync(0);
    expect(settled).toBe(true);
    await pushed;
    expect(h.writes).toHaveLength(1);
    expect(vi.getTimerCount()).toBe(0);
  });

  it('waits for each write to be taken before the next one (backpressure) and resolves push only then', async () => {
    const pending: (() => void)[] = [];
    const h = harness({ mode: 'fixed', chunkChars: 10, delayMs: 0 }, 'openai-chat', {
      write(bytes) {
        h.writes.push({ text: Buffer.from(bytes).toString('utf8'), at: Date.now() });
        return new Promise<void>((r) => pending.push(r));
      },
    });
    let settled = false;
    const pushed = h.push(chat(letters(30)) + DONE).then(() => (settled = true));
    for (let i = 1; i <= 4; i++) {
      await vi.advanceTimersByTimeAsync(50);
      expect(h.writes).toHaveLength(i);
      expect(settled).toBe(false);
      pending.shift()!();
    }
    await pushed;
    expect(settled).toBe(true);
    expect(h.writes.at(-1)!.text).toBe(DONE);
  });

  it('reports each split event: when it arrived and when each piece went out', async () => {
    const h = harness({ mode: 'fixed', chunkChars: 10, delayMs: 4 });
    const t0 = Date.now();
    const pushed = h.push(chat('short') + chat(letters(25)) + toolCall);
    await vi.advanceTimersByTimeAsync(100);
    await pushed;
    expect(h.smoothed).toEqual([{ arrivedAt: t0, deliveredAt: [t0, t0 + 4, t0 + 8] }]);
  });
});

/** A Responses stream: created, a text delta, a function-call argument delta, completed. */
function responsesStream(eol: string, text: string, finalText = text): { frames: string[]; sse: string } {
  const ev = (type: string, body: Json): string =>
    `event: ${type}${eol}data: ${JSON.stringify({ type, ...body })}${eol}${eol}`;
  const frames = [
    ev('response.created', { sequence_number: 0, response: { id: 'r1', output: [] } }),
    ev('response.output_text.delta', {
      item_id: 'm1',
      output_index: 0,
      content_index: 0,
      delta: text,
      sequence_number: 1,
    }),
    ev('response.function_call_arguments.delta', {
      item_id: 'fc1',
      output_index: 1,
      delta: '{"city":"Paris"}',
      sequence_number: 2,
    }),
    ev('response.completed', {
      sequence_number: 3,
      response: {
        id: 'r1',
        output: [{ type: 'message', content: [{ type: 'output_text', text: finalText }] }],
      },
    }),
  ];
  return { frames, sse: frames.join('') };
}

describe('smoother: Responses renumbering', () => {
  it('renumbers later events and changes no other byte of them (LF framing)', async () => {
    const { frames, sse } = responsesStream('\n', letters(30));
    const h = harness({ mode: 'fixed', chunkChars: 10, delayMs: 0 }, 'openai-responses');
    await h.push(sse);
    expect(h.writes).toHaveLength(6);
    expect(h.writes[0]!.text).toBe(frames[0]);
    expect(h.writes[4]!.text).toBe(frames[2]!.replace('"sequence_number":2', '"sequence_number":4'));
    expect(h.writes[5]!.text).toBe(frames[3]!.replace('"sequence_number":3', '"sequence_number":5'));
  });

  it('keeps the CRLF framing of renumbered events (only sequence_number may change)', async () => {
    const { frames, sse } = responsesStream('\r\n', letters(30));
    const h = harness({ mode: 'fixed', chunkChars: 10, delayMs: 0 }, 'openai-responses');
    await h.push(sse);
    expect(h.writes[4]!.text).toBe(frames[2]!.replace('"sequence_number":2', '"sequence_number":4'));
    expect(h.writes[5]!.text).toBe(frames[3]!.replace('"sequence_number":3', '"sequence_number":5'));
  });

  it('renumbers the last event of a CR-framed stream too', async () => {
    const { sse } = responsesStream('\r', letters(30));
    const h = harness({ mode: 'fixed', chunkChars: 10, delayMs: 0 }, 'openai-responses');
    await h.push(sse);
    await h.smoother.end(true);
    const seqs = h.writes.map((w) => Number(/"sequence_number":(\d+)/.exec(w.text)![1]));
    expect(seqs).toEqual([0, 1, 2, 3, 4, 5]);
  });

  it('keeps an oversized event that arrives in parts intact after a split', async () => {
    // The text delta (~370 bytes) fits the bound and is split; the completed event (~2 KB) does not.
    const { sse } = responsesStream('\n', letters(250), letters(2_000));
    const h = harness({ mode: 'fixed', chunkChars: 125, delayMs: 0 }, 'openai-responses', {
      maxFrameBytes: 512,
    });
    for (const part of splitBytes(Buffer.from(sse), 3, 120)) await h.push(part);
    await h.smoother.end(true);
    const events = h
      .out()
      .split('\n\n')
      .filter((f) => f !== '')
      .map((f) => parseFrame(f));
    const completed = events.find((e) => e.event === 'response.completed');
    expect(() => JSON.parse(completed!.data!) as unknown).not.toThrow();
    expect(events.map((e) => e.event)).toEqual([
      'response.created',
      'response.output_text.delta',
      'response.output_text.delta',
      'response.function_call_arguments.delta',
      'response.completed',
    ]);
  });
});

/** What the smoother makes of the splitter's last frame at the end: smoothed when whole, else as it came. */
function endText(rest: { bytes: Buffer; whole: boolean } | null, splitter: TextSplitter): string {
  if (rest === null) return '';
  const text = rest.bytes.toString('utf8');
  if (!rest.whole) return text;
  const { event, data } = parseFrame(text);
  const r = data === null ? null : splitter.split(event, data, 3, text);
  return r === null ? text : r.frames.join('');
}
