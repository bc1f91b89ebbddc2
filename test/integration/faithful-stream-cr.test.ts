import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { FakeUpstream, type FakeReply, type RecordedRequest } from '../support/fake-upstream';
import { anthropicKit, chatKit } from '../support/format-kits';
import { startSluice, type TestSluice } from '../support/sluice';
import { arrivalOf, timedPost } from '../support/timed-post';

/**
 * Issue #14 item 5: an event framed with CR line ends that ends exactly at a chunk edge was held by
 * the relay (the aligner, the usage stripper's and the smoother's frame splitters) until the next
 * chunk, 1 MiB, or the end: a CR might still have been followed by an LF. A CR always ends its line,
 * so the event goes to the client at once, whichever path it takes, and the bytes stay exact.
 */

/** Pause after the first content event, before the rest of the stream. */
const PAUSE_MS = 1500;
/** The content event must reach the client well before the upstream's next write. */
const PROMPT_MS = 900;

const cr = (s: string): string => s.replaceAll('\n', '\r');

describe('CR-framed events at a chunk edge are relayed at once', () => {
  let upstream: FakeUpstream;
  let sluice: TestSluice;
  let reply: (r: RecordedRequest) => FakeReply = () => ({ chunks: [] });

  beforeAll(async () => {
    upstream = await new FakeUpstream((r) => reply(r)).start();
    sluice = await startSluice({
      providers: [
        { id: 'chat', kind: 'openai', baseUrl: chatKit.baseUrl(upstream.url), priority: 1 },
        {
          id: 'claude',
          kind: 'anthropic',
          baseUrl: anthropicKit.baseUrl(upstream.url),
          priority: 1,
          allowModels: ['claude-*'],
        },
        {
          id: 'smooth',
          kind: 'anthropic',
          baseUrl: `${upstream.url}/smooth`,
          priority: 2,
          allowModels: ['smooth-*'],
          smoothing: { enabled: true, mode: 'fixed', chunkChars: 2, delayMs: 0 },
        },
      ],
      settings: { prefetchMaxMs: 200 },
    });
  });
  afterAll(async () => {
    await sluice.close();
    await upstream.close();
  });

  /** The stream in two writes, PAUSE_MS apart: everything up to the first content event, then the rest. */
  function twoWrites(whole: string, firstEnd: string): FakeReply {
    const at = whole.indexOf(firstEnd) + firstEnd.length;
    return { chunks: [whole.slice(0, at), whole.slice(at)], delayMs: PAUSE_MS };
  }

  it('Anthropic passthrough (the aligner)', async () => {
    const stream = cr(anthropicKit.stream('Hallo'));
    reply = () => twoWrites(stream, cr('"text":"Hallo"}}\n\n'));
    const res = await timedPost(
      sluice.url,
      anthropicKit.path('claude-x'),
      anthropicKit.body('claude-x'),
      anthropicKit.headers,
    );
    expect(res.status).toBe(200);
    expect(res.body.toString()).toBe(stream);
    expect(arrivalOf(res, '"text":"Hallo"}}\r\r')).toBeLessThan(PROMPT_MS);
    expect((await sluice.row((r) => r.provider === 'claude')).status).toBe('completed');
  });

  it('Chat with the injected usage stripped (the stripper)', async () => {
    // As include_usage makes it: `"usage":null` last in every chunk with a choice.
    const stream = cr(chatKit.stream('Hallo').replaceAll('}]}\n\n', '}],"usage":null}\n\n'));
    reply = () => twoWrites(stream, cr('"content":"Hallo"},"finish_reason":null}],"usage":null}\n\n'));
    const body = JSON.stringify({
      model: 'gpt-x',
      stream: true,
      messages: [{ role: 'user', content: 'hi' }],
    });
    const res = await timedPost(sluice.url, chatKit.path('gpt-x'), body, chatKit.headers);
    expect(res.status).toBe(200);
    expect(res.body.toString()).not.toContain('"usage"');
    expect(arrivalOf(res, '"content":"Hallo"},"finish_reason":null}]}\r\r')).toBeLessThan(PROMPT_MS);
  });

  it('smoothing (the smoother)', async () => {
    const stream = cr(anthropicKit.stream('Hallo'));
    reply = () => twoWrites(stream, cr('"text":"Hallo"}}\n\n'));
    const res = await timedPost(
      sluice.url,
      anthropicKit.path('smooth-x'),
      anthropicKit.body('smooth-x'),
      anthropicKit.headers,
    );
    expect(res.status).toBe(200);
    // Smoothing sends "Hallo" in pieces of two characters; the last one must not wait for the pause.
    expect(arrivalOf(res, '"text":"o"')).toBeLessThan(PROMPT_MS);
  });
});
