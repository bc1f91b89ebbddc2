import BetterSqlite3 from 'better-sqlite3';
import { afterAll, afterEach, beforeAll, describe, expect, it, vi } from 'vitest';
import type { Database } from '../../src/main/store/schema/db';
import type { BackgroundWriter } from '../../src/main/store/worker/background-writer';
import { FakeUpstream } from '../support/fake-upstream';
import { startSluice, type TestSluice } from '../support/sluice';

/*
 * The store failing under a running gateway: another program holding the database locked, and a
 * full disk. Requests must keep streaming, the operator must get one clear line (and one when it
 * is over), and the rows must land once the database can be written again.
 */

const SSE = [
  'event: message_start\ndata: {"type":"message_start","message":{"id":"msg_1","type":"message","role":"assistant","model":"claude-up","content":[],"stop_reason":null,"usage":{"input_tokens":21,"output_tokens":1}}}\n\n',
  'event: content_block_start\ndata: {"type":"content_block_start","index":0,"content_block":{"type":"text","text":""}}\n\n',
  'event: content_block_delta\ndata: {"type":"content_block_delta","index":0,"delta":{"type":"text_delta","text":"Hello"}}\n\n',
  'event: content_block_stop\ndata: {"type":"content_block_stop","index":0}\n\n',
  'event: message_delta\ndata: {"type":"message_delta","delta":{"stop_reason":"end_turn","stop_sequence":null},"usage":{"output_tokens":9}}\n\n',
  'event: message_stop\ndata: {"type":"message_stop"}\n\n',
];

let upstream: FakeUpstream;
let sluice: TestSluice | undefined;
const log: string[] = [];

beforeAll(async () => {
  upstream = await new FakeUpstream(() => ({ chunks: SSE, delayMs: 10 })).start();
});
afterAll(async () => {
  await upstream.close();
});
afterEach(async () => {
  await sluice?.close();
  sluice = undefined;
  log.length = 0;
});

function config(): { providers: unknown[] } {
  return {
    providers: [{ id: 'claude', kind: 'anthropic', baseUrl: upstream.url, apiKey: 'sk-ant-provider-key' }],
  };
}

async function stream(userAgent = 'claude-cli/2.0.0 (external, cli)'): Promise<string> {
  const res = await fetch(`${sluice!.url}/v1/messages`, {
    method: 'POST',
    headers: { 'content-type': 'application/json', 'x-api-key': 'client', 'user-agent': userAgent },
    body: JSON.stringify({
      model: 'claude-x',
      max_tokens: 10,
      stream: true,
      messages: [{ role: 'user', content: 'hi' }],
    }),
  });
  expect(res.status).toBe(200);
  return res.text();
}

const storeLines = (): string[] => log.filter((l) => l.includes('usage store'));

describe('the store failing under a running gateway', () => {
  it('keeps relaying while another program holds the database locked, then records every request', async () => {
    sluice = await startSluice(config(), { log: (l) => log.push(l) });
    sluice.app.flushUsage(); // the store worker is up, and its retention run at start is over
    const other = new BetterSqlite3(sluice.app.dbFile);
    other.exec('BEGIN EXCLUSIVE');
    try {
      const bodies = await Promise.all(Array.from({ length: 5 }, () => stream()));
      for (const b of bodies) expect(b).toBe(SSE.join(''));
      // Let the writer's first attempt (25 ms after the first record) and a retry run into the lock.
      await vi.waitFor(() => expect(storeLines().length).toBeGreaterThan(0), { timeout: 5_000 });
      expect(await stream()).toBe(SSE.join(''));
      expect(storeLines()).toEqual([
        expect.stringMatching(
          /^Sluice: usage store: usage write failed \(another program holds the database locked: SQLITE_BUSY/,
        ),
      ]);
      expect(sluice.app.queries.listRequests()).toEqual([]);
    } finally {
      other.exec('ROLLBACK');
      other.close();
    }
    await vi.waitFor(() => expect(sluice!.app.queries.listRequests()).toHaveLength(6), { timeout: 10_000 });
    expect(
      sluice.app.queries.listRequests().every((r) => r.status === 'completed' && r.outputTokens === 9),
    ).toBe(true);
    expect(storeLines()).toHaveLength(2);
    expect(storeLines()[1]).toMatch(
      /usage writes work again after \d+ failed attempt\(s\); nothing was lost$/,
    );
  });

  it('keeps relaying when the disk is full (SQLITE_FULL), then records every request once there is room', async () => {
    let db: Database | undefined;
    let writer: Pick<BackgroundWriter, 'pragma'> | undefined;
    sluice = await startSluice(config(), {
      log: (l) => log.push(l),
      onDatabaseOpen: (d) => (db = d),
      onStoreWriter: (w) => (writer = w),
    });
    // The store worker's connection may not grow the file any further: the honest in-process twin of a
    // full disk. VACUUM first: a migration that rebuilds a table leaves free pages, which writes could still use.
    db!.exec('VACUUM');
    expect(writer!.pragma('max_page_count = 1')).toBe(true);
    const big = `claude-cli/2.0.0 (external, cli) ${'x'.repeat(4000)}`;
    for (let i = 0; i < 8; i++) expect(await stream(big)).toBe(SSE.join(''));
    await vi.waitFor(() => expect(storeLines().length).toBeGreaterThan(0), { timeout: 5_000 });
    expect(storeLines()).toEqual([
      expect.stringMatching(
        /^Sluice: usage store: usage write failed \(the disk is full \(or the database hit its size limit\): SQLITE_FULL/,
      ),
    ]);
    expect(sluice.app.queries.listRequests()).toEqual([]);
    expect(writer!.pragma('max_page_count = 1073741823')).toBe(true);
    // A read flushes, as the UI's do: it need not wait out the writer's backoff (up to 30 s by now).
    await vi.waitFor(
      () => {
        sluice!.app.flushUsage();
        expect(sluice!.app.queries.listRequests()).toHaveLength(8);
      },
      { timeout: 10_000 },
    );
    expect(
      sluice.app.queries.listRequests().every((r) => r.status === 'completed' && r.userAgent === big),
    ).toBe(true);
    // The worker's lines arrive as messages, after the flush that made the rows land.
    await vi.waitFor(() => expect(storeLines()[1]).toMatch(/usage writes work again/));
  });
});
