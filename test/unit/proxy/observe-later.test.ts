import { describe, expect, it } from 'vitest';
import { DEFAULT_SETTINGS } from '../../../src/shared/settings';
import { adapterFor } from '../../../src/formats';
import { observeBody, type BodyObserver } from '../../../src/main/proxy/observe';
import { MAX_WAITING_BYTES, observeLater } from '../../../src/main/proxy/observe-later';
import type { BodyLog } from '../../../src/main/proxy/ledger';
import type { RequestContext } from '../../../src/main/proxy/request-context';

const chatChunk = (content: string, finish: string | null = null): string =>
  `data: {"id":"c1","object":"chat.completion.chunk","created":1,"model":"m","choices":[{"index":0,"delta":{"content":${JSON.stringify(content)}},"finish_reason":${finish === null ? 'null' : `"${finish}"`}}]}\n\n`;
const usage =
  'data: {"id":"c1","object":"chat.completion.chunk","created":1,"model":"m","choices":[],"usage":{"prompt_tokens":5,"completion_tokens":2,"total_tokens":7}}\n\n';

/** A real Chat observer whose log keeps every raw chunk it was handed, in order. */
function chatObserver(): { observer: BodyObserver; seen: string[] } {
  const seen: string[] = [];
  const log: BodyLog = {
    watching: () => false,
    frame: () => {},
    framesDropped: () => {},
    responseBytes: (_a, _m, chunk) => void seen.push(Buffer.from(chunk).toString('utf8')),
    clientBytes: () => {},
    smoothed: () => {},
  };
  const ctx = { settings: DEFAULT_SETTINGS } as RequestContext;
  return { observer: observeBody(ctx, adapterFor('openai-chat').createObserver(), 'sse', log), seen };
}

const turn = (): Promise<void> => new Promise((r) => setImmediate(r));

describe('observeLater: observation once per event-loop turn, off the relay path', () => {
  it('observes nothing in line; one pass per turn observes every stream’s chunks, each in order', async () => {
    const a = chatObserver();
    const b = chatObserver();
    const la = observeLater(a.observer);
    const lb = observeLater(b.observer);
    la.push(Buffer.from(chatChunk('a1')));
    lb.push(Buffer.from(chatChunk('b1')));
    la.push(Buffer.from(chatChunk('a2')));
    expect(a.seen).toEqual([]);
    expect(b.seen).toEqual([]);
    expect(a.observer.bytes).toBe(0);
    await turn();
    expect(a.seen).toEqual([chatChunk('a1'), chatChunk('a2')]);
    expect(b.seen).toEqual([chatChunk('b1')]);
    expect(a.observer.facts.text).toBe('a1a2');
    // The next turn's chunks go to the next pass.
    la.push(Buffer.from(chatChunk('a3')));
    expect(a.observer.facts.text).toBe('a1a2');
    await turn();
    expect(a.observer.facts.text).toBe('a1a2a3');
  });

  it('flushes everything still waiting before the end is judged: terminal and usage are whole', () => {
    const { observer } = chatObserver();
    const later = observeLater(observer);
    later.push(Buffer.from(chatChunk('Hi')));
    later.push(Buffer.from(chatChunk('', 'stop') + usage));
    later.push(Buffer.from('data: [DONE]\n\n'));
    expect(observer.facts.terminal).toBe(false);
    later.end(true);
    expect(observer.facts.text).toBe('Hi');
    expect(observer.facts.terminal).toBe(true);
    expect(observer.facts.usage).toMatchObject({ inputTokens: 5, outputTokens: 2 });
  });

  it('flush observes what waits at once (a broken stream is judged on every chunk it relayed)', () => {
    const { observer, seen } = chatObserver();
    const later = observeLater(observer);
    later.push(Buffer.from(chatChunk('x', 'stop')));
    later.flush();
    expect(seen).toHaveLength(1);
    expect(observer.facts.text).toBe('x');
  });

  it('a stream owing more than its bound is observed in line, so what waits stays bounded', () => {
    const { observer, seen } = chatObserver();
    const later = observeLater(observer);
    const big = Buffer.from(`: ${'x'.repeat(MAX_WAITING_BYTES / 2)}\n\n`);
    later.push(big);
    expect(seen).toHaveLength(0);
    later.push(big);
    expect(seen).toHaveLength(2);
  });

  it('an observer that throws in a pass fails the stream at its end, not the pass or other streams', async () => {
    const good = chatObserver();
    const broken: BodyObserver = {
      ...good.observer,
      push: () => {
        throw new Error('observer bug');
      },
    };
    const lb = observeLater(broken);
    const lg = observeLater(good.observer);
    lb.push(Buffer.from('data: 1\n\n'));
    lg.push(Buffer.from(chatChunk('ok')));
    await turn();
    expect(good.observer.facts.text).toBe('ok');
    expect(() => lb.push(Buffer.from('data: 2\n\n'))).not.toThrow();
    expect(() => lb.end(true)).toThrow('observer bug');
  });
});
