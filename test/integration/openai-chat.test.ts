import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import OpenAI from 'openai';
import { FakeUpstream, splitBytes } from '../support/fake-upstream';
import { fixtures } from '../support/fixtures';
import { startSluice, type TestSluice } from '../support/sluice';

interface ExpectedChat {
  text: string;
  finish_reason: string | null;
  tool_calls: { index: number; id: string; name: string; arguments: string }[];
  usage: Record<string, unknown> | null;
  error: { message?: string } | null;
}

describe('OpenAI Chat through Sluice with the openai SDK', () => {
  let upstream: FakeUpstream;
  let sluice: TestSluice;
  let client: OpenAI;
  let body: Buffer = Buffer.alloc(0);
  let seed = 1;

  beforeAll(async () => {
    upstream = await new FakeUpstream(() => ({ chunks: splitBytes(body, seed++, 64), delayMs: 1 })).start();
    sluice = await startSluice({
      providers: [
        {
          id: 'fake-openai',
          kind: 'openai',
          baseUrl: `${upstream.url}/v1`,
          apiKey: 'sk-provider',
          priority: 1,
        },
      ],
    });
    client = new OpenAI({ baseURL: `${sluice.url}/v1`, apiKey: 'sk-client', maxRetries: 0 });
  });
  afterAll(async () => {
    await sluice.close();
    await upstream.close();
  });

  for (const fx of fixtures('openai_chat')) {
    const expected = fx.meta.expected as unknown as ExpectedChat;
    it(`streams ${fx.name} with the exact text, tool calls and finish reason`, async () => {
      body = fx.sse;
      const stream = await client.chat.completions.create({
        model: 'gpt-test',
        messages: [{ role: 'user', content: 'hi' }],
        stream: true,
        stream_options: { include_usage: true },
      });
      let text = '';
      let finish: string | null = null;
      const args = new Map<number, string>();
      let usage: unknown = null;
      const run = async (): Promise<void> => {
        for await (const chunk of stream) {
          const choice = chunk.choices[0];
          text += choice?.delta.content ?? '';
          if (choice?.finish_reason) finish = choice.finish_reason;
          for (const tc of choice?.delta.tool_calls ?? [])
            args.set(tc.index, (args.get(tc.index) ?? '') + (tc.function?.arguments ?? ''));
          if (chunk.usage) usage = chunk.usage;
        }
      };
      if (expected.error) {
        await expect(run()).rejects.toThrow();
        expect(text).toBe(expected.text);
        return;
      }
      await run();
      expect(text).toBe(expected.text);
      expect(finish).toBe(expected.finish_reason);
      expect([...args.values()]).toEqual(expected.tool_calls.map((t) => t.arguments));
      expect(usage).toEqual(expected.usage);
      const last = upstream.requests.at(-1)!;
      expect(last.headers.authorization).toBe('Bearer sk-provider');
      expect(last.url).toBe('/v1/chat/completions');
    });
  }
});
