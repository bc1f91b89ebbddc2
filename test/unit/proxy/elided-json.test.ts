import { describe, expect, it } from 'vitest';
import { elidedJson } from '../../../src/main/proxy/elided-json';
import { parseFrame } from '../../../src/main/proxy/sse-frames';
import { fixtures } from '../../support/fixtures';

const M = '…[cut]…';

/** The stand-in for `json` with everything between `from` and `to` left out, parsed. */
function standIn(json: string, from: number, to: number): unknown {
  const out = elidedJson(json.slice(0, from), json.slice(to), M);
  expect(out, `${json.slice(0, from)} | ${json.slice(to)}`).not.toBeNull();
  expect(out).toContain(M);
  return JSON.parse(out!);
}

describe('elidedJson', () => {
  it('joins two cuts inside one long string (a base64 image) as they are', () => {
    const image = 'A'.repeat(1000);
    const json = JSON.stringify({ type: 'x', result: image, usage: { n: 1 } });
    const at = json.indexOf('AAAA') + 10;
    expect(standIn(json, at, at + 900)).toEqual({
      type: 'x',
      result: `${'A'.repeat(10)}${M}${'A'.repeat(90)}`,
      usage: { n: 1 },
    });
  });

  it("keeps Gemini's finish reason and usage after an elided inline image", () => {
    const json = JSON.stringify({
      candidates: [
        {
          content: {
            parts: [{ inlineData: { mimeType: 'image/png', data: 'B'.repeat(5000) } }],
            role: 'model',
          },
          finishReason: 'STOP',
          index: 0,
        },
      ],
      usageMetadata: { promptTokenCount: 5, candidatesTokenCount: 7 },
    });
    const at = json.indexOf('BBB');
    const got = standIn(json, at + 100, at + 4000) as {
      candidates: { finishReason: string }[];
      usageMetadata: unknown;
    };
    expect(got.candidates[0]!.finishReason).toBe('STOP');
    expect(got.usageMetadata).toEqual({ promptTokenCount: 5, candidatesTokenCount: 7 });
  });

  it('repairs cuts inside strings at different depths: the head closed, the tail opened under a placeholder', () => {
    const json = JSON.stringify({
      type: 'response.completed',
      response: {
        status: 'completed',
        output: [
          { type: 'image_generation_call', result: 'C'.repeat(3000) },
          { type: 'message', content: [{ type: 'output_text', text: 'D'.repeat(3000) }] },
        ],
        usage: { input_tokens: 3, output_tokens: 9 },
      },
    });
    const got = standIn(json, json.indexOf('CCC') + 50, json.indexOf('DDD') + 2900) as {
      type: string;
      response: { status: string; usage: unknown };
    };
    expect(got.type).toBe('response.completed');
    expect(got.response.status).toBe('completed');
    expect(got.response.usage).toEqual({ input_tokens: 3, output_tokens: 9 });
  });

  it('cuts an unfinished number, escape or key, and a tail that starts between tokens', () => {
    expect(standIn('{"a":[1,2,345,6],"b":1}', 9, 11)).toMatchObject({ b: 1 });
    const escaped = JSON.stringify({ t: `x${'\u00e9'.repeat(20)}`, u: 1 }).replace(/é/g, '\\u00e9');
    expect(standIn(escaped, escaped.indexOf('\\u00e9') + 3, escaped.length - 20)).toMatchObject({ u: 1 });
    expect(standIn('{"first":1,"second":{"deep":[true,false]},"last":2}', 13, 25)).toMatchObject({
      first: 1,
      last: 2,
    });
  });

  it('never gives text that does not parse, at any cut of any recorded event; mostly it gives one', () => {
    const events = (['openai_chat', 'responses', 'anthropic', 'gemini'] as const)
      .flatMap((f) => fixtures(f))
      .flatMap((fx) => fx.sse.toString('utf8').split(/\r?\n\r?\n/))
      .map((frame) => parseFrame(frame).data)
      .filter((d): d is string => d !== null && d.startsWith('{') && d.length > 40);
    let x = 7;
    const rand = (n: number): number => {
      x = (x * 1103515245 + 12345) & 0x7fffffff;
      return x % n;
    };
    let made = 0;
    let tried = 0;
    for (const data of events) {
      for (let k = 0; k < 20; k++) {
        const from = 1 + rand(data.length - 2);
        const to = from + rand(data.length - from);
        const out = elidedJson(data.slice(0, from), data.slice(to), M);
        tried++;
        if (out === null) continue;
        made++;
        expect(() => JSON.parse(out) as unknown, out).not.toThrow();
      }
    }
    expect(made / tried).toBeGreaterThan(0.99);
  });

  it('gives up on what is no JSON object or array', () => {
    expect(elidedJson('<html><body>', '</body></html>', M)).toBeNull();
    expect(elidedJson('"a string', 'ends"', M)).toBe(`"a string${M}ends"`);
  });
});
