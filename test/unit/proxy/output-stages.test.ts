import { describe, expect, it } from 'vitest';
import { SmoothingSchema } from '../../../src/shared/settings';
import { adapterFor } from '../../../src/formats';
import {
  chainStages,
  OUTPUT_STAGES,
  outputPath,
  type ByteStage,
  type ByteSink,
} from '../../../src/main/proxy/output-stages';
import { createFrameSplitter } from '../../../src/main/proxy/sse-frames';
import { createSmoother } from '../../../src/main/proxy/stages/smooth';

const chat = (content: string): string =>
  `data: {"id":"c1","object":"chat.completion.chunk","created":1,"model":"m","choices":[{"index":0,"delta":{"content":${JSON.stringify(content)}},"finish_reason":null}],"usage":null}\n\n`;
const usage =
  'data: {"id":"c1","object":"chat.completion.chunk","created":1,"model":"m","choices":[],"usage":{"prompt_tokens":5,"completion_tokens":9,"total_tokens":14}}\n\n';
const DONE = 'data: [DONE]\n\n';

function recorder(): { out: ByteSink; writes: string[]; ended: boolean[] } {
  const writes: string[] = [];
  const ended: boolean[] = [];
  return {
    writes,
    ended,
    out: {
      push: (chunk) => {
        if (chunk.length > 0) writes.push(chunk.toString('utf8'));
        return Promise.resolve();
      },
      end: (clean) => {
        ended.push(clean);
        return Promise.resolve();
      },
    },
  };
}

const stagesFor = (plan: Parameters<typeof outputPath>[0]): ByteStage[] =>
  OUTPUT_STAGES.filter((s) => s.applies(plan)).map((s) => s.create(plan));

describe('the output path after the commit', () => {
  const smoothing = SmoothingSchema.parse({ enabled: true, mode: 'fixed', chunkChars: 5, delayMs: 0 });

  it('is one declared list: which stages a response goes through, in order', () => {
    expect(outputPath({ sse: false, translate: null, stripUsage: false, smoothing: null })).toEqual([
      'write',
    ]);
    expect(outputPath({ sse: true, translate: null, stripUsage: false, smoothing: null })).toEqual([
      'align',
      'write',
    ]);
    expect(outputPath({ sse: true, translate: null, stripUsage: true, smoothing: null })).toEqual([
      'strip-injected-usage',
      'write',
    ]);
    expect(outputPath({ sse: true, translate: null, stripUsage: true, smoothing })).toEqual([
      'strip-injected-usage',
      'smooth',
    ]);
    expect(outputPath({ sse: true, translate: null, stripUsage: false, smoothing })).toEqual(['smooth']);
  });

  it('strips injected usage before smoothing splits, and passes the end through every stage', async () => {
    const rec = recorder();
    const smoother = createSmoother(
      smoothing,
      adapterFor('openai-chat').createTextSplitter(),
      createFrameSplitter(),
      {
        write: (bytes) => rec.out.push(Buffer.from(bytes)),
        upstreamReady: () => Promise.resolve(),
        signal: new AbortController().signal,
        now: () => 0,
        onSmoothed: () => {},
      },
    );
    const path = chainStages(
      stagesFor({ sse: true, translate: null, stripUsage: true, smoothing }),
      smoother,
    );
    await path.push(Buffer.from(chat('0123456789') + usage + DONE.slice(0, 8)));
    await path.push(Buffer.from(DONE.slice(8)));
    await path.end(true);
    const text = rec.writes.join('');
    expect(text).not.toContain('usage');
    expect(rec.writes.filter((w) => w.includes('content')).length).toBe(2);
    expect(text.endsWith(DONE)).toBe(true);
  });

  it('holds an unfinished frame: sent at a clean end, dropped after a cut', async () => {
    for (const clean of [true, false]) {
      const rec = recorder();
      const path = chainStages(
        stagesFor({ sse: true, translate: null, stripUsage: false, smoothing: null }),
        rec.out,
      );
      await path.push(Buffer.from(chat('ab') + 'data: [DO'));
      expect(rec.writes.join('')).toBe(chat('ab'));
      await path.end(clean);
      expect(rec.writes.join('')).toBe(clean ? chat('ab') + 'data: [DO' : chat('ab'));
      expect(rec.ended).toEqual([clean]);
    }
  });

  it('a stage’s remainder at the end goes through the stages after it', async () => {
    const upper: ByteStage = {
      push: (c) => Buffer.from(c.toString('utf8').toUpperCase()),
      end: () => Buffer.alloc(0),
    };
    const holdAll: ByteStage = (() => {
      let held = '';
      return {
        push: (c) => {
          held += c.toString('utf8');
          return Buffer.alloc(0);
        },
        end: (clean) => (clean ? Buffer.from(held) : Buffer.alloc(0)),
      };
    })();
    const rec = recorder();
    const path = chainStages([holdAll, upper], rec.out);
    await path.push(Buffer.from('abc'));
    await path.end(true);
    expect(rec.writes).toEqual(['ABC']);
  });
});
