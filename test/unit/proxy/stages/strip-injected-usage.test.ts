import { describe, expect, it } from 'vitest';
import { createUsageStripper as createStripper } from '../../../../src/main/proxy/stages/strip-injected-usage';
import { createFrameSplitter } from '../../../../src/main/proxy/sse-frames';

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
});
