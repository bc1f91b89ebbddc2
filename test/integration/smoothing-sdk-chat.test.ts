import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import OpenAI from 'openai';
import { casesFor, startRig, type Rig, type SetupName } from '../support/smoothing-rig';

/**
 * With the official openai SDK's own stream helpers, every recorded stream and the synthetic one
 * reconstruct to the same message through smoothing as without it.
 */

const segmenter = new Intl.Segmenter(undefined, { granularity: 'grapheme' });
const graphemes = (s: string): number => [...segmenter.segment(s)].length;

/** What the SDK made of one stream; `result` must not change with smoothing. */
interface Run {
  result: Record<string, unknown>;
  textEvents: number;
  /** Longest text delta seen, in graphemes. */
  maxDelta: number;
  seqs: (number | undefined)[];
}

const describeError = (e: unknown): string =>
  e instanceof Error ? `${e.constructor.name}: ${e.message}` : String(e);

async function runChat(client: OpenAI, model: string): Promise<Run> {
  const r = {
    text: '',
    refusal: '',
    roles: [] as string[],
    finishReasons: [] as string[],
    tools: new Map<number, { id: string; name: string; args: string }>(),
    usages: [] as unknown[],
    final: null as unknown,
    error: null as string | null,
  };
  let textEvents = 0;
  let maxDelta = 0;
  try {
    const stream = client.chat.completions.stream({
      model,
      messages: [{ role: 'user', content: 'hi' }],
      stream_options: { include_usage: true },
    });
    for await (const chunk of stream) {
      if (chunk.usage) r.usages.push(chunk.usage);
      for (const choice of chunk.choices) {
        const d = choice.delta;
        if (d.role) r.roles.push(d.role);
        if (d.content) {
          r.text += d.content;
          textEvents++;
          maxDelta = Math.max(maxDelta, graphemes(d.content));
        }
        if (d.refusal) r.refusal += d.refusal;
        if (choice.finish_reason) r.finishReasons.push(choice.finish_reason);
        for (const tc of d.tool_calls ?? []) {
          const t = r.tools.get(tc.index) ?? { id: '', name: '', args: '' };
          t.id += tc.id ?? '';
          t.name += tc.function?.name ?? '';
          t.args += tc.function?.arguments ?? '';
          r.tools.set(tc.index, t);
        }
      }
    }
    r.final = await stream.finalChatCompletion();
  } catch (e) {
    r.error = describeError(e);
  }
  return { result: { ...r, tools: [...r.tools.entries()] }, textEvents, maxDelta, seqs: [] };
}

describe('smoothing is invisible to the openai SDK (chat.completions.stream)', () => {
  let rig: Rig;
  const clients = new Map<SetupName, OpenAI>();
  const client = (name: SetupName): OpenAI => {
    let c = clients.get(name);
    if (c === undefined) {
      c = new OpenAI({ baseURL: `${rig.sluice[name].url}/v1`, apiKey: 'sk-client', maxRetries: 0 });
      clients.set(name, c);
    }
    return c;
  };

  beforeAll(async () => {
    rig = await startRig();
  });
  afterAll(async () => {
    await rig.close();
  });

  for (const c of casesFor('openai-chat')) {
    it(`chat ${c.name}: same text, tool calls, usage and stop reason in ${c.setups.join(', ')}`, async () => {
      const model = rig.serve(c.sse);
      const base = await runChat(client('plain'), model);
      for (const setup of c.setups) {
        const got = await runChat(client(setup), model);
        expect(got.result, setup).toEqual(base.result);
        expect(got.textEvents).toBeGreaterThanOrEqual(base.textEvents);
        const small = setup.endsWith('3') ? 3 : 20;
        expect(got.maxDelta).toBeLessThanOrEqual(small);
        if (c.expectSplits && base.maxDelta > small)
          expect(got.textEvents, setup).toBeGreaterThan(base.textEvents);
      }
    });
  }
});
