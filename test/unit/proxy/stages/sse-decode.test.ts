import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { createSseDecoder, type SseDecoderOptions } from '../../../../src/main/proxy/stages/sse-decode';

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

  it('stops at maxBufferChars and says so once', () => {
    let overflows = 0;
    const events: string[] = [];
    const decoder = createSseDecoder((_e, data) => events.push(data), {
      maxBufferChars: 64,
      onOverflow: () => overflows++,
    });
    decoder.push(utf8.encode('data: ok\n\n'));
    decoder.push(utf8.encode(`data: ${'x'.repeat(100)}`));
    decoder.push(utf8.encode('\n\ndata: after\n\n'));
    decoder.end();
    expect(events).toEqual(['ok']);
    expect(overflows).toBe(1);
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
