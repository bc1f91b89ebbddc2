import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { createSseDecoder, type SseDecoderOptions } from '../../../../src/main/proxy/stages/sse-decode';
import type { OversizedEvent } from '../../../../src/main/proxy/oversized-event';
import { splitBytes } from '../../../support/fake-upstream';

interface SpecEvent {
  type: string;
  data: string;
  lastEventId: string;
}

interface SpecCase {
  name: string;
  input: string;
  chunks?: string[];
  chunks_base64?: string[];
  expected_events: SpecEvent[];
  expected_retry: number | null;
}

const casesPath = join(__dirname, '../../../fixtures/sse-spec/cases.json');
const cases = (JSON.parse(readFileSync(casesPath, 'utf8')) as { cases: SpecCase[] }).cases;
const utf8 = new TextEncoder();

/** Runs the decoder over byte chunks; returns events as the spec cases write them, and the last retry. */
function decode(
  chunks: Uint8Array[],
  opts: SseDecoderOptions = {},
): { events: SpecEvent[]; retry: number | null } {
  const events: SpecEvent[] = [];
  let retry: number | null = null;
  const decoder = createSseDecoder(
    (event, data, id) => events.push({ type: event ?? 'message', data, lastEventId: id ?? '' }),
    {
      ...opts,
      onRetry: (ms) => {
        retry = ms;
      },
    },
  );
  for (const chunk of chunks) decoder.push(chunk);
  decoder.end();
  return { events, retry };
}

function bytewise(bytes: Uint8Array): Uint8Array[] {
  return Array.from(bytes, (_b, i) => bytes.subarray(i, i + 1));
}

describe('createSseDecoder over the WHATWG cases (test/fixtures/sse-spec/cases.json)', () => {
  it('has the 30 cases the fixtures README promises', () => {
    expect(cases).toHaveLength(30);
  });

  for (const c of cases) {
    describe(c.name, () => {
      const bytes = utf8.encode(c.input);

      it('whole input', () => {
        const out = decode([bytes]);
        expect(out.events).toEqual(c.expected_events);
        expect(out.retry).toBe(c.expected_retry);
      });

      it('byte by byte', () => {
        const out = decode(bytewise(bytes));
        expect(out.events).toEqual(c.expected_events);
        expect(out.retry).toBe(c.expected_retry);
      });

      const listed =
        c.chunks_base64?.map((b) => new Uint8Array(Buffer.from(b, 'base64'))) ??
        c.chunks?.map((s) => utf8.encode(s));
      if (listed !== undefined) {
        it('listed chunks', () => {
          expect(Buffer.concat(listed).equals(Buffer.from(bytes))).toBe(true);
          expect(decode(listed).events).toEqual(c.expected_events);
        });
      }
    });
  }
});

describe('createSseDecoder', () => {
  it('dispatches an event that ends a chunk in CR at once, not when the next chunk arrives', () => {
    const seen: string[] = [];
    const decoder = createSseDecoder((_e, data) => seen.push(data));
    decoder.push(utf8.encode('data: a\r\n\r'));
    expect(seen).toEqual(['a']);
    decoder.push(utf8.encode('\ndata: b\r\n\r\n'));
    expect(seen).toEqual(['a', 'b']);
  });

  it('dispatches a CR CR framed event at a chunk edge at once; an LF opening the next chunk makes no event', () => {
    const seen: (string | undefined)[] = [];
    const decoder = createSseDecoder((e, data) => seen.push(`${e ?? ''}|${data}`));
    decoder.push(utf8.encode('event: e\rdata: a\r\r'));
    expect(seen).toEqual(['e|a']);
    decoder.push(utf8.encode('\n'));
    decoder.push(utf8.encode('\ndata: b\r\r'));
    expect(seen).toEqual(['e|a', '|b']);
    decoder.end();
    expect(seen).toEqual(['e|a', '|b']);
  });

  it('keeps text that starts with the Latin-1 reading of a BOM (the parser would strip "ï»¿")', () => {
    expect(
      decode([utf8.encode('\u00ef\u00bb\u00bfdata: x\n\ndata: y\n\n')]).events.map((e) => e.data),
    ).toEqual(['y']);
  });

  it('reports lines that are no SSE field, such as a bare JSON error after the events', () => {
    const stray: string[] = [];
    const events: string[] = [];
    const decoder = createSseDecoder((_e, data) => events.push(data), {
      onStrayLine: (line) => stray.push(line),
    });
    decoder.push(utf8.encode('data: {"a":1}\n\n{\n  "error": {\n    "code": 499\n  }\n}\n'));
    decoder.end();
    expect(events).toEqual(['{"a":1}']);
    expect(stray).toEqual(['{', '  "error": {', '    "code": 499', '  }', '}']);
    expect(JSON.parse(stray.join('\n'))).toEqual({ error: { code: 499 } });
  });

  describe('an event past maxBufferChars (issue #14 item 4)', () => {
    interface Run {
      events: string[];
      oversized: OversizedEvent[];
    }
    function run(parts: (string | Uint8Array)[], max = 256, pendingAtEnd?: 'dispatch'): Run {
      const out: Run = { events: [], oversized: [] };
      const decoder = createSseDecoder((e, data) => out.events.push(`${e ?? ''}|${data}`), {
        maxBufferChars: max,
        onOversized: (o) => out.oversized.push(o),
        pendingAtEnd,
      });
      for (const p of parts) decoder.push(typeof p === 'string' ? utf8.encode(p) : p);
      decoder.end();
      return out;
    }
    const big = (event: string | null, n: number, eol = '\n'): string =>
      `${event === null ? '' : `event: ${event}${eol}`}data: {"type":"image","result":"${'A'.repeat(n)}","usage":{"n":1}}${eol}${eol}`;

    it('is skipped to its blank line, reported by its ends, and the events after it are read', () => {
      const stream = `data: {"a":1}\n\n${big('response.completed', 5000)}data: {"after":1}\n\n`;
      // Whole in one chunk, an event is read whole: the bound is on what waits for more bytes.
      expect(run([stream]).events).toHaveLength(3);
      for (const parts of [
        splitBytes(Buffer.from(stream), 3, 97),
        [...Buffer.from(stream)].map((b) => new Uint8Array([b])),
      ]) {
        const got = run(parts);
        expect(got.events).toEqual(['|{"a":1}', '|{"after":1}']);
        expect(got.oversized).toHaveLength(1);
        const o = got.oversized[0]!;
        expect(o.event).toBe('response.completed');
        expect(o.bytes).toBe(Buffer.byteLength(big('response.completed', 5000)));
        const data = JSON.parse(o.data!) as { type: string; result: string; usage: unknown };
        expect(data.type).toBe('image');
        expect(data.usage).toEqual({ n: 1 });
        expect(data.result).toMatch(/^A+…\[\d+ bytes not read\]…A+$/);
      }
    });

    it('resynchronises after CRLF and CR framing, and after several oversized events in a row', () => {
      for (const eol of ['\r\n', '\r']) {
        const stream = `${big('x', 3000, eol)}${big(null, 4000, eol)}data: ok${eol}${eol}`;
        const got = run(splitBytes(Buffer.from(stream), 11, 300));
        expect(got.oversized.map((o) => o.event)).toEqual(['x', undefined]);
        expect(got.events).toEqual(['|ok']);
      }
    });

    it('holds only the ends: what it keeps does not grow with the event', () => {
      const kept: number[] = [];
      const decoder = createSseDecoder(() => {}, {
        maxBufferChars: 1024,
        onOversized: (o) => kept.push(o.data?.length ?? 0),
      });
      decoder.push(utf8.encode('data: {"r":"'));
      for (let i = 0; i < 2000; i++) decoder.push(utf8.encode('B'.repeat(1000)));
      decoder.push(utf8.encode('"}\n\n'));
      decoder.end();
      expect(kept).toHaveLength(1);
      expect(kept[0]).toBeLessThan(2 * 256 + 100);
    });

    it('an oversized event the body ends inside is pending, read only when asked', () => {
      const cut = big('e', 2000).slice(0, -2);
      expect(run([cut]).oversized).toEqual([]);
      expect(run([cut], 256, 'dispatch').oversized.map((o) => o.event)).toEqual(['e']);
    });
  });

  describe('an event the body ends inside (issue #14 item 3)', () => {
    const endings = ['data: x', 'data: x\n', 'data: x\r', 'data: x\r\n', 'event: e\ndata: x'];

    function ending(text: string, pendingAtEnd?: 'dispatch' | 'discard', bodyEnded?: boolean) {
      const events: string[] = [];
      const stray: string[] = [];
      const decoder = createSseDecoder((e, data) => events.push(`${e ?? ''}|${data}`), {
        pendingAtEnd,
        onStrayLine: (line) => stray.push(line),
      });
      for (const b of utf8.encode(text)) decoder.push(new Uint8Array([b]));
      const pending = decoder.end(bodyEnded);
      return { events, stray, pending };
    }

    it('is dispatched when asked (openai-node), wherever the last line stopped', () => {
      for (const end of endings) {
        const got = ending(`data: a\n\n${end}`, 'dispatch');
        expect(got.events.at(-1), JSON.stringify(end)).toMatch(/\|x$/);
        expect(got.events).toHaveLength(2);
        expect(got.pending).toBe(true);
      }
    });

    it('is discarded by default (WHATWG), and reported as pending', () => {
      for (const end of endings) {
        const got = ending(`data: a\n\n${end}`);
        expect(got.events, JSON.stringify(end)).toEqual(['|a']);
        expect(got.pending).toBe(true);
      }
    });

    it('is nothing after a clean end, a comment or an empty event', () => {
      for (const text of [
        'data: a\n\n',
        'data: a\r\n\r\n',
        'data: a\r\r',
        'data: a\n\n: ping',
        'data: a\n\nevent: e\n',
      ]) {
        const got = ending(text, 'dispatch');
        expect(got.events, JSON.stringify(text)).toEqual(['|a']);
        expect(got.pending).toBe(false);
      }
    });

    it('ends the last stray line at the end of the body (a bare JSON error without a final newline)', () => {
      expect(ending('data: a\n\n{"error":{}}').stray).toEqual(['{"error":{}}']);
    });

    it('is dropped, with the last line, when the body was abandoned half-way', () => {
      const got = ending('data: a\n\ndata: x\n', 'dispatch', false);
      expect(got).toEqual({ events: ['|a'], stray: [], pending: false });
    });
  });

  it('ignores pushes after end()', () => {
    const events: string[] = [];
    const decoder = createSseDecoder((_e, data) => events.push(data));
    decoder.push(utf8.encode('data: 1\n\ndata: pending\n'));
    decoder.end();
    decoder.push(utf8.encode('\ndata: 2\n\n'));
    decoder.end();
    expect(events).toEqual(['1']);
  });
});
