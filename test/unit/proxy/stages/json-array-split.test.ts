import { describe, expect, it } from 'vitest';
import {
  createJsonArraySplitter,
  type JsonArraySplitterOptions,
} from '../../../../src/main/proxy/stages/json-array-split';

const utf8 = new TextEncoder();

interface Outcome {
  elements: string[];
  overflows: number;
  malformed: number;
}

function split(
  chunks: Uint8Array[],
  opts: Omit<JsonArraySplitterOptions, 'onOversized' | 'onMalformed'> = {},
): Outcome {
  const out: Outcome = { elements: [], overflows: 0, malformed: 0 };
  const splitter = createJsonArraySplitter((json) => out.elements.push(json), {
    ...opts,
    onOversized: () => out.overflows++,
    onMalformed: () => out.malformed++,
  });
  for (const c of chunks) splitter.push(c);
  splitter.end();
  return out;
}

/** Mulberry32: a small seeded PRNG, so a failing split can be replayed. */
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

function randomSplit(bytes: Uint8Array, seed: number, maxLen: number): Uint8Array[] {
  const next = prng(seed);
  const out: Uint8Array[] = [];
  for (let i = 0; i < bytes.length;) {
    const len = 1 + Math.floor(next() * maxLen);
    out.push(bytes.subarray(i, i + len));
    i += len;
  }
  return out;
}

// Gemini's framing: CRLF around the commas; strings hold braces, brackets, escaped quotes and backslashes, and multi-byte text.
const elements = [
  {
    candidates: [{ content: { parts: [{ text: 'Hello {not a brace} [nor a bracket] "quoted" \\ back' }] } }],
  },
  {
    candidates: [
      {
        content: {
          parts: [{ text: '秋风瑟瑟 🦅 30°C', functionCall: { name: 'f', args: { a: [1, { b: '}' }] } } }],
        },
      },
    ],
  },
  { usageMetadata: { promptTokenCount: 3, candidatesTokenCount: 5 }, text: '\\"}]' },
];
const body = `[${elements.map((e) => JSON.stringify(e, null, 1)).join('\r\n,\r\n')}]`;
const bodyBytes = utf8.encode(body);

describe('createJsonArraySplitter', () => {
  it('splits a whole array into its elements', () => {
    const out = split([bodyBytes]);
    expect(out.elements.map((e) => JSON.parse(e) as unknown)).toEqual(elements);
    expect(out.overflows + out.malformed).toBe(0);
  });

  it('gives the same elements split byte by byte and at random boundaries', () => {
    const bytewise = Array.from(bodyBytes, (_b, i) => bodyBytes.subarray(i, i + 1));
    expect(split(bytewise).elements.map((e) => JSON.parse(e) as unknown)).toEqual(elements);
    for (const seed of [1, 2, 3, 42, 1234]) {
      for (const maxLen of [2, 7, 64]) {
        const out = split(randomSplit(bodyBytes, seed, maxLen));
        expect(
          out.elements.map((e) => JSON.parse(e) as unknown),
          `seed ${seed} max ${maxLen}`,
        ).toEqual(elements);
      }
    }
  });

  it('emits each element as soon as it closes, before the array ends', () => {
    const seen: string[] = [];
    const splitter = createJsonArraySplitter((json) => seen.push(json));
    splitter.push(utf8.encode('[{"a":1}\r\n,'));
    expect(seen).toEqual(['{"a":1}']);
    splitter.push(utf8.encode('\r\n{"b":'));
    expect(seen).toHaveLength(1);
    splitter.push(utf8.encode('2}'));
    expect(seen).toEqual(['{"a":1}', '{"b":2}']);
  });

  it('emits a bare top-level error object as one element', () => {
    const error =
      '{\n  "error": {\n    "code": 429,\n    "message": "Resource exhausted",\n    "status": "RESOURCE_EXHAUSTED"\n  }\n}\n';
    const out = split([utf8.encode(error.slice(0, 10)), utf8.encode(error.slice(10))]);
    expect(out.elements.map((e) => JSON.parse(e) as unknown)).toEqual([JSON.parse(error)]);
    expect(out.malformed).toBe(0);
  });

  it('accepts an empty array, a leading BOM and whitespace', () => {
    expect(split([utf8.encode(' \r\n[ ]\n')])).toEqual({ elements: [], overflows: 0, malformed: 0 });
    expect(
      split([new Uint8Array([0xef, 0xbb]), new Uint8Array([0xbf]), utf8.encode('[{"a":1}]')]).elements,
    ).toEqual(['{"a":1}']);
  });

  it('drops an element cut off by the end of the body', () => {
    expect(split([utf8.encode('[{"a":1},{"b":')]).elements).toEqual(['{"a":1}']);
  });

  it('reports an element past maxElementChars by its two ends and reads on (issue #14 item 4)', () => {
    const image = 'x'.repeat(5000);
    const big = `[{"a":1},{"candidates":[{"content":{"parts":[{"inlineData":{"data":"${image}"}}]},"finishReason":"STOP"}],"usageMetadata":{"candidatesTokenCount":7}},{"c":3}]`;
    const bytes = utf8.encode(big);
    for (const chunks of [[bytes], randomSplit(bytes, 7, 16), randomSplit(bytes, 9, 700)]) {
      const standIns: (string | null)[] = [];
      const lengths: number[] = [];
      const elements: string[] = [];
      const splitter = createJsonArraySplitter((json) => elements.push(json), {
        maxElementChars: 1024,
        onOversized: (standIn, chars) => {
          standIns.push(standIn);
          lengths.push(chars);
        },
      });
      for (const c of chunks) splitter.push(c);
      splitter.end();
      expect(elements).toEqual(['{"a":1}', '{"c":3}']);
      expect(lengths).toEqual([big.length - '[{"a":1},'.length - ',{"c":3}]'.length]);
      const got = JSON.parse(standIns[0]!) as {
        candidates: { finishReason: string }[];
        usageMetadata: { candidatesTokenCount: number };
      };
      expect(got.candidates[0]!.finishReason).toBe('STOP');
      expect(got.usageMetadata.candidatesTokenCount).toBe(7);
      expect(standIns[0]!.length).toBeLessThan(600);
    }
  });

  it('reports an HTML page or junk between elements as malformed, once', () => {
    expect(split([utf8.encode('<!DOCTYPE html><html>{}</html>')])).toEqual({
      elements: [],
      overflows: 0,
      malformed: 1,
    });
    expect(split([utf8.encode('[{"a":1} x {"b":2}]')])).toEqual({
      elements: ['{"a":1}'],
      overflows: 0,
      malformed: 1,
    });
    expect(split([utf8.encode('[{"a":1}] trailing')]).malformed).toBe(1);
  });
});
