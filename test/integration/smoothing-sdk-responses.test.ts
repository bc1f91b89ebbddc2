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

/** Collapses runs of the same entry: a split delta shows as one. */
const collapse = (xs: string[]): string[] => xs.filter((x, i) => x !== xs[i - 1]);

async function runResponses(client: OpenAI, model: string): Promise<Run> {
  const r = {
    text: '',
    summary: '',
    args: new Map<string, string>(),
    calls: [] as unknown[],
    types: [] as string[],
    terminalType: null as string | null,
    terminal: null as unknown,
    final: null as unknown,
    error: null as string | null,
  };
  let textEvents = 0;
  let maxDelta = 0;
  const seqs: (number | undefined)[] = [];
  try {
    const stream = client.responses.stream({ model, input: 'hi' });
    for await (const event of stream) {
      seqs.push((event as { sequence_number?: number }).sequence_number);
      r.types.push(event.type);
      switch (event.type) {
        case 'response.output_text.delta':
          r.text += event.delta;
          textEvents++;
          maxDelta = Math.max(maxDelta, graphemes(event.delta));
          break;
        case 'response.reasoning_summary_text.delta':
          r.summary += event.delta;
          break;
        case 'response.function_call_arguments.delta':
          r.args.set(event.item_id, (r.args.get(event.item_id) ?? '') + event.delta);
          break;
        case 'response.output_item.done':
          if (event.item.type === 'function_call') r.calls.push(event.item);
          break;
        case 'response.completed':
        case 'response.failed':
        case 'response.incomplete':
          r.terminalType = event.type;
          r.terminal = event.response;
          break;
        default:
          break;
      }
    }
    r.final = await stream.finalResponse();
  } catch (e) {
    r.error = describeError(e);
  }
  return {
    result: { ...r, types: collapse(r.types), args: [...r.args.entries()] },
    textEvents,
    maxDelta,
    seqs,
  };
}

describe('smoothing is invisible to the openai SDK (responses.stream)', () => {
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

  for (const c of casesFor('openai-responses')) {
    it(`responses ${c.name}: same text, tool calls, usage and stop reason in ${c.setups.join(', ')}`, async () => {
      const model = rig.serve(c.sse);
      const base = await runResponses(client('plain'), model);
      for (const setup of c.setups) {
        const got = await runResponses(client(setup), model);
        expect(got.result, setup).toEqual(base.result);
        expect(got.textEvents).toBeGreaterThanOrEqual(base.textEvents);
        const small = setup.endsWith('3') ? 3 : 20;
        expect(got.maxDelta).toBeLessThanOrEqual(small);
        if (c.expectSplits && base.maxDelta > small)
          expect(got.textEvents, setup).toBeGreaterThan(base.textEvents);
        if (base.seqs.length > 0 && base.seqs.every((n) => typeof n === 'number')) {
          const seqs = got.seqs as number[];
          expect(
            seqs.every((n, i) => i === 0 || n > seqs[i - 1]!),
            `${setup}: sequence_number strictly increasing`,
          ).toBe(true);
        }
      }
    });
  }
});
