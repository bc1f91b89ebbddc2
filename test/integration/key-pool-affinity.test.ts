import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ScriptedUpstream, post, type RawResponse, type SeenRequest } from '../support/fault-upstream';
import { chatKit } from '../support/format-kits';
import { startSluice, type TestSluice } from '../support/sluice';

/**
 * A key pool under session affinity (issue #18 §2, §3): a conversation's turns stay on the key that
 * served its first (its prompt cache is per key), while other requests take the pool's turns; when that
 * key is refused, the conversation moves to another key at once and stays there.
 */

const K = ['aff-pool-key-one-1111', 'aff-pool-key-two-2222', 'aff-pool-key-three-333'] as const;
const keyOf = (req: SeenRequest): string => String(req.headers.authorization).replace(/^Bearer /, '');

describe('key pool with session affinity', () => {
  let up: ScriptedUpstream;
  let sluice: TestSluice;
  const refused = new Set<string>();

  beforeAll(async () => {
    up = await new ScriptedUpstream((req) =>
      refused.has(keyOf(req))
        ? {
            status: 401,
            headers: { 'content-type': 'application/json' },
            chunks: ['{"error":{"message":"no"}}'],
          }
        : { chunks: [chatKit.stream('ok')] },
    ).start();
    sluice = await startSluice({
      providers: [{ id: 'pool', kind: 'openai', baseUrl: `${up.url}/v1`, apiKeys: [...K] }],
    });
  });
  afterAll(async () => {
    await sluice.close();
    await up.close();
  });

  let n = 0;
  /** A turn of the Codex-like session `session` (its `session_id` header), or of a conversation of its own. */
  const send = (session: string | null): Promise<RawResponse> => {
    const body = {
      ...(JSON.parse(chatKit.body('m')) as object),
      messages: [{ role: 'user', content: `q${++n}` }],
    };
    const headers = session === null ? chatKit.headers : { ...chatKit.headers, session_id: session };
    return post(sluice.url, chatKit.path('m'), JSON.stringify(body), headers);
  };
  /** The key the upstream got for each request sent while `run` ran. */
  async function keysDuring(run: () => Promise<void>): Promise<string[]> {
    const from = up.requests.length;
    await run();
    return up.requests.slice(from).map(keyOf);
  }

  it("keeps a session's turns on its first key while others rotate, and moves it once when that key is refused", async () => {
    const session: string[] = [];
    const others: string[] = [];
    for (let i = 0; i < 10; i++) {
      session.push(
        ...(await keysDuring(async () => {
          await send('sess-A');
        })),
      );
      others.push(
        ...(await keysDuring(async () => {
          await send(null);
        })),
      );
    }
    expect(new Set(session).size).toBe(1);
    expect(new Set(others).size).toBe(3); // the pool's turns go on around the session
    const first = session[0]!;

    refused.add(first);
    const moved = await keysDuring(async () => expect((await send('sess-A')).status).toBe(200));
    expect(moved[0]).toBe(first); // tried first, refused and benched…
    const next = moved[1]!;
    expect(next).not.toBe(first); // …and the same request served by another key
    const after: string[] = [];
    for (let i = 0; i < 5; i++) {
      after.push(
        ...(await keysDuring(async () => {
          await send('sess-A');
        })),
      );
      await send(null);
    }
    expect(after).toEqual(Array<string>(5).fill(next));
  });
});
