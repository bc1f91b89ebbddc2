import { describe, expect, it } from 'vitest';
import { createUsageStripper as createStripper } from '../../../../src/main/proxy/stages/strip-injected-usage';
import { createFrameSplitter, parseFrame } from '../../../../src/main/proxy/sse-frames';
import { stripInjectedUsage } from '../../../../src/main/proxy/stages/strip-injected-usage';
import { fixtures } from '../../../support/fixtures';

const createUsageStripper = (max?: number) => createStripper(createFrameSplitter(max));
import { splitBytes } from '../../../support/fake-upstream';

const chunk = (content: string, finish: string | null = null): string =>
  `data: {"id":"c1","object":"chat.completion.chunk","choices":[{"index":0,"delta":{"content":"${content}"},"finish_reason":${finish === null ? 'null' : `"${finish}"`}}],"usage":null}\n\n`;
const usageChunk =
  'data: {"id":"c1","object":"chat.completion.chunk","choices":[],"usage":{"prompt_tokens":5,"completion_tokens":2,"total_tokens":7}}\n\n';
const done = 'data: [DONE]\n\n';

function run(input: Buffer, parts: Buffer[]): string {
  const s = createUsageStripper();
  const out = parts.map((p) => s.push(p).toString('latin1')).join('') + s.end().toString('latin1');
  expect(Buffer.byteLength(input.toString('latin1'), 'latin1')).toBe(input.length);
  return out;
}

describe('strip-injected-usage', () => {
  const upstream = Buffer.from(chunk('Hél') + chunk('lo 👋') + chunk('', 'stop') + usageChunk + done);
  const expected = Buffer.from(
    (chunk('Hél') + chunk('lo 👋') + chunk('', 'stop')).replaceAll(',"usage":null', '') + done,
  ).toString('latin1');

  it('drops the usage-only chunk and the usage:null fields include_usage added', () => {
    expect(run(upstream, [upstream])).toBe(expected);
  });

  it('gives the same bytes however the stream is split, down to single bytes', () => {
    for (const seed of [1, 2, 3, 42]) expect(run(upstream, splitBytes(upstream, seed, 13))).toBe(expected);
    const bytes = [...upstream].map((b) => Buffer.from([b]));
    expect(run(upstream, bytes)).toBe(expected);
  });

  it('handles CRLF framing and keeps an unterminated tail for the end', () => {
    const crlf = Buffer.from((chunk('a') + usageChunk).replaceAll('\n', '\r\n') + 'data: [DONE]');
    const out = run(crlf, splitBytes(crlf, 7, 5));
    expect(out).toBe(chunk('a').replace(',"usage":null', '').replaceAll('\n', '\r\n') + 'data: [DONE]');
  });

  it('keeps a chunk that has empty choices but no usage (Azure prompt_filter_results)', () => {
    const azure = Buffer.from('data: {"choices":[],"prompt_filter_results":[]}\n\n');
    expect(run(azure, [azure])).toBe(azure.toString('latin1'));
  });

  it('passes an oversized frame through instead of buffering it', () => {
    const s = createUsageStripper(16);
    const big = Buffer.from(`data: ${'x'.repeat(100)}`);
    expect(s.push(big).length).toBe(big.length);
    expect(s.end().length).toBe(0);
  });

  describe('decides by parsed structure, whatever the spelling (issue #14 item 6)', () => {
    const text = '"choices":[{"index":0,"delta":{"content":"a"},"finish_reason":null}]';
    const cases: [string, string, string][] = [
      ['"choices": [] with a space', '{"id":"c1","choices": [],"usage":{"prompt_tokens":5}}', ''],
      ['pretty-printed', '{ "id": "c1", "choices": [ ], "usage": { "prompt_tokens": 5 } }', ''],
      ['usage before choices', '{"usage":{"prompt_tokens":5},"choices":[]}', ''],
      ['no choices member', '{"id":"c1","usage":{"prompt_tokens":5}}', ''],
      ['an escaped key', '{"choices":[],"us\\u0061ge":{"prompt_tokens":5}}', ''],
      ['"usage": null with a space', `{"id":"c1",${text}, "usage": null}`, `{"id":"c1",${text}}`],
      [
        '"usage":null before obfuscation',
        `{${text},"usage":null,"obfuscation":"x1"}`,
        `{${text},"obfuscation":"x1"}`,
      ],
      ['"usage":null first', `{"usage": null, "id":"c1",${text}}`, `{"id":"c1",${text}}`],
      ['an escaped null key', `{${text},"\\u0075sage":null}`, `{${text}}`],
      [
        'text that mentions usage',
        '{"choices":[{"index":0,"delta":{"content":"say \\"usage\\": null, \\"usage"}}],"usage":null}',
        '{"choices":[{"index":0,"delta":{"content":"say \\"usage\\": null, \\"usage"}}]}',
      ],
      [
        'a usage member that is not the chunk’s own',
        '{"choices":[{"index":0,"delta":{},"usage":null}],"usage":null}',
        '{"choices":[{"index":0,"delta":{},"usage":null}]}',
      ],
      [
        'usage beside a choice (not the usage-only chunk)',
        '{"choices":[{"index":0,"delta":{},"finish_reason":"stop"}],"usage":{"prompt_tokens":5}}',
        '{"choices":[{"index":0,"delta":{},"finish_reason":"stop"}],"usage":{"prompt_tokens":5}}',
      ],
      [
        'a chunk with Go-escaped text and no usage',
        '{"choices":[{"delta":{"content":"\\u003cb\\u003e"}}]}',
        '{"choices":[{"delta":{"content":"\\u003cb\\u003e"}}]}',
      ],
    ];
    for (const [name, data, want] of cases) {
      it(name, () => {
        for (const eol of ['\n', '\r\n']) {
          const input = Buffer.from(`data: ${data}${eol}${eol}`);
          const expected = want === '' ? '' : `data: ${want}${eol}${eol}`;
          expect(run(input, [input]), JSON.stringify(eol)).toBe(expected);
          expect(run(input, splitBytes(input, 5, 9))).toBe(expected);
        }
      });
    }

    it('reads data split over several lines', () => {
      const input = Buffer.from('data: {"choices":[],\ndata: "usage":{"prompt_tokens":5}}\n\n');
      expect(run(input, [input])).toBe('');
      const nulls = Buffer.from(`event: chunk\ndata: {${text},\ndata:  "usage" : null }\n\n`);
      const out = run(nulls, [nulls]);
      expect(out).toMatch(/^event: chunk\ndata: /);
      const data = out
        .split('\n')
        .filter((l) => l.startsWith('data:'))
        .map((l) => l.slice(l.startsWith('data: ') ? 6 : 5))
        .join('\n');
      expect(JSON.parse(data)).toEqual(JSON.parse(`{${text}}`));
    });
  });

  describe('every spelling of recorded chunks (issue #14 item 6)', () => {
    let x = 11;
    const rand = (n: number): number => {
      x = (x * 1103515245 + 12345) & 0x7fffffff;
      return x % n;
    };
    const ws = (): string => ['', ' ', '  ', '\t'][rand(4)]!;
    /** JSON with random whitespace between tokens and, sometimes, a key's letters escaped. */
    const spell = (v: unknown): string => {
      if (Array.isArray(v)) return `[${ws()}${v.map((e) => `${spell(e)}${ws()}`).join(`,${ws()}`)}]`;
      if (typeof v === 'object' && v !== null) {
        const members = Object.entries(v).map(([k, e]) => {
          const key =
            rand(5) === 0
              ? `"${Array.from({ length: k.length }, (_c, i) => `\\u${k.charCodeAt(i).toString(16).padStart(4, '0')}`).join('')}"`
              : JSON.stringify(k);
          return `${key}${ws()}:${ws()}${spell(e)}`;
        });
        return `{${ws()}${members.join(`${ws()},${ws()}`)}${ws()}}`;
      }
      return JSON.stringify(v);
    };
    const chunks = (['openai_chat'] as const)
      .flatMap((f) => fixtures(f))
      .flatMap((fx) => fx.sse.toString('utf8').split(/\r?\n\r?\n/))
      .map((frame) => parseFrame(frame).data)
      .filter((d): d is string => d !== null && d.startsWith('{'))
      .map((d) => JSON.parse(d) as Record<string, unknown>);

    it('gives each chunk without the injected usage, or drops the usage-only one', () => {
      expect(chunks.length).toBeGreaterThan(50);
      for (const original of chunks) {
        for (let k = 0; k < 8; k++) {
          const { usage: _u, ...rest } = original;
          const entries = Object.entries(rest);
          const onlyUsage =
            Array.isArray(rest.choices) &&
            rest.choices.length === 0 &&
            rest.usage === undefined &&
            k % 2 === 0;
          // The usage-only chunk, or the chunk with "usage": null somewhere among its members.
          const usage = onlyUsage ? { prompt_tokens: 3, completion_tokens: 4 } : null;
          entries.splice(rand(entries.length + 1), 0, ['usage', usage]);
          const frame = Buffer.from(`data: ${spell(Object.fromEntries(entries))}\n\n`);
          const out = stripInjectedUsage(frame);
          if (onlyUsage) {
            expect(out, frame.toString()).toBeNull();
            continue;
          }
          expect(out).not.toBeNull();
          const data = parseFrame(out!.toString('utf8')).data!;
          expect(JSON.parse(data), frame.toString()).toEqual(rest);
        }
      }
    });
  });
});
