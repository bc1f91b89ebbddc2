import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import Anthropic from '@anthropic-ai/sdk';
import { casesFor, startRig, type Rig, type SetupName } from '../support/smoothing-rig';

/**
 * With the official @anthropic-ai/sdk's `messages.stream()` helper, every recorded stream and the
 * synthetic one reconstruct to the same message (finalMessage: text, thinking, tool input, stop
 * reason, usage) through smoothing as without it.
 */

const segmenter = new Intl.Segmenter(undefined, { granularity: 'grapheme' });
const graphemes = (s: string): number => [...segmenter.segment(s)].length;

interface Run {
  result: Record<string, unknown>;
  textEvents: number;
  maxDelta: number;
}

const describeError = (e: unknown): string =>
  e instanceof Error ? `${e.constructor.name}: ${e.message}` : String(e);

async function runMessages(client: Anthropic, model: string): Promise<Run> {
  const r = {
    text: '',
    thinking: '',
    json: new Map<number, string>(),
    /** Event types in order, runs of the same collapsed (a split delta shows as one). */
    types: [] as string[],
    blocks: [] as number[],
    stopReasons: [] as (string | null)[],
    usages: [] as unknown[],
    final: null as unknown,
    error: null as string | null,
  };
  let textEvents = 0;
  let maxDelta = 0;
  try {
    const stream = client.messages.stream({
      model,
      max_tokens: 1024,
      messages: [{ role: 'user', content: 'hi' }],
    });
    for await (const event of stream) {
      const type =
        event.type === 'content_block_delta'
          ? `${event.type}:${event.delta.type}:${event.index}`
          : event.type;
      if (r.types.at(-1) !== type) r.types.push(type);
      switch (event.type) {
        case 'content_block_start':
          r.blocks.push(event.index);
          break;
        case 'content_block_delta':
          if (event.delta.type === 'text_delta') {
            r.text += event.delta.text;
            textEvents++;
            maxDelta = Math.max(maxDelta, graphemes(event.delta.text));
          } else if (event.delta.type === 'thinking_delta') r.thinking += event.delta.thinking;
          else if (event.delta.type === 'input_json_delta')
            r.json.set(event.index, (r.json.get(event.index) ?? '') + event.delta.partial_json);
          break;
        case 'message_delta':
          r.stopReasons.push(event.delta.stop_reason);
          r.usages.push(event.usage);
          break;
        default:
          break;
      }
    }
    r.final = await stream.finalMessage();
  } catch (e) {
    r.error = describeError(e);
  }
  return { result: { ...r, json: [...r.json.entries()] }, textEvents, maxDelta };
}

describe('smoothing is invisible to @anthropic-ai/sdk (messages.stream)', () => {
  let rig: Rig;
  const clients = new Map<SetupName, Anthropic>();
  const client = (name: SetupName): Anthropic => {
    let c = clients.get(name);
    if (c === undefined) {
      c = new Anthropic({ baseURL: rig.sluice[name].url, apiKey: 'sk-ant-client', maxRetries: 0 });
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

  for (const c of casesFor('anthropic')) {
    it(`${c.name}: same final message in ${c.setups.join(', ')}`, async () => {
      const model = rig.serve(c.sse);
      const base = await runMessages(client('plain'), model);
      for (const setup of c.setups) {
        const got = await runMessages(client(setup), model);
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
