import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import http from 'node:http';
import type { ApiFormat } from '../../src/shared/api-format';
import { FakeUpstream, splitBytes, type FakeReply, type RecordedRequest } from '../support/fake-upstream';
import { startSluice, type TestSluice } from '../support/sluice';
import {
  clusterStarts,
  framesOf,
  graphemeText,
  letters,
  post,
  reframe,
  requestFor,
  scenario,
  textOf,
  unsmoothed,
} from '../support/smoothing-streams';

type Json = Record<string, unknown>;

const FORMATS: readonly ApiFormat[] = ['openai-chat', 'openai-responses', 'anthropic', 'gemini'];
const SEQ = /"sequence_number":\d+/g;

/** Checks that `pieces` cut `text` only between grapheme clusters, at most `max` clusters each. */
function expectGraphemePieces(pieces: string[], text: string, max: number): void {
  expect(pieces.join('')).toBe(text);
  const starts = clusterStarts(text);
  const isStart = new Set(starts);
  const problems: string[] = [];
  let at = 0;
  for (const p of pieces) {
    if (!isStart.has(at)) problems.push(`piece at ${at} starts inside a cluster`);
    const n = starts.filter((i) => i >= at && i < at + p.length).length;
    if (n < 1 || n > max) problems.push(`piece at ${at}: ${n} clusters`);
    at += p.length;
  }
  expect(problems).toEqual([]);
}

/** The JSON of each wire frame that carries text. */
function textFrames(format: ApiFormat, body: Buffer): { event: string | undefined; json: Json }[] {
  return framesOf(body)
    .filter((f) => textOf(format, f) !== null)
    .map((f) => {
      const lines = f.split(/\r\n|\r|\n/);
      const event = lines
        .find((l) => l.startsWith('event:'))
        ?.slice(6)
        .trim();
      const data = lines
        .filter((l) => l.startsWith('data:'))
        .map((l) => l.slice(5).trimStart())
        .join('\n');
      return { event, json: JSON.parse(data) as Json };
    });
}

describe('smoothing through the real gateway: what goes over the wire (raw HTTP)', () => {
  let upstream: FakeUpstream;
  let reply: (r: RecordedRequest) => FakeReply | Promise<FakeReply> = () => ({ chunks: [] });
  let sluice: TestSluice;

  beforeAll(async () => {
    upstream = await new FakeUpstream((r) => reply(r)).start();
    sluice = await startSluice({
      providers: [
        { id: 'oai', kind: 'openai', baseUrl: `${upstream.url}/v1`, apiKey: 'sk-p', priority: 1 },
        { id: 'ant', kind: 'anthropic', baseUrl: upstream.url, apiKey: 'sk-ant-p', priority: 1 },
        { id: 'gem', kind: 'gemini', baseUrl: upstream.url, apiKey: 'gk-p', priority: 1 },
      ],
      settings: {
        smoothing: { enabled: true, mode: 'fixed', chunkChars: 7, delayMs: 1 },
        maxAttempts: 1,
        circuitMinSamples: 1000,
        circuitConsecutiveFailures: 1000,
      },
    });
  });
  afterAll(async () => {
    await sluice.close();
    await upstream.close();
  });

  for (const format of FORMATS) {
    it(`${format}: a 500-grapheme delta arrives as ceil(500/7) events of ≤ 7 graphemes; everything else byte-identical`, async () => {
      const text = graphemeText(500);
      const sc = scenario(format, text);
      const input = sc.frames.join('');
      reply = () => ({ chunks: splitBytes(Buffer.from(input), 11, 300) });
      const { path, body } = requestFor(format);
      const res = await post(sluice.url, path, body);
      expect(res.status).toBe(200);
      const got = unsmoothed(format, res.body);
      const want = unsmoothed(format, input);
      expect(got.textEvents).toHaveLength(Math.ceil(500 / 7));
      expectGraphemePieces(got.textEvents, text, 7);
      if (format === 'openai-responses') {
        // Only sequence numbers may differ, and they increase strictly over the whole stream.
        expect(got.others.map((f) => f.replace(SEQ, ''))).toEqual(want.others.map((f) => f.replace(SEQ, '')));
        const seqs = framesOf(res.body).map((f) => Number(/"sequence_number":(\d+)/.exec(f)![1]));
        expect(seqs).toEqual(seqs.map((_, i) => i));
      } else {
        expect(got.others).toEqual(want.others);
      }
      // The pieces went out over time, not as one write.
      expect(res.chunks.length).toBeGreaterThan(1);

      const pieces = textFrames(format, res.body);
      const last = pieces.length - 1;
      if (format === 'openai-chat') {
        expect(pieces.map((p) => 'role' in ((p.json.choices as Json[])[0]!.delta as Json))).toEqual(
          pieces.map((_, i) => i === 0),
        );
      } else if (format === 'openai-responses') {
        for (const p of pieces)
          expect(p.json).toMatchObject({ item_id: 'msg_1', output_index: 0, content_index: 0 });
      } else if (format === 'anthropic') {
        for (const p of pieces) expect(p).toMatchObject({ event: 'content_block_delta', json: { index: 1 } });
      } else {
        const cands = pieces.map((p) => (p.json.candidates as Json[])[0]!);
        expect(cands.map((c) => c.finishReason ?? null)).toEqual(
          pieces.map((_, i) => (i === last ? 'STOP' : null)),
        );
        expect(cands.map((c) => 'safetyRatings' in c)).toEqual(pieces.map((_, i) => i === last));
        expect(pieces.map((p) => 'usageMetadata' in p.json)).toEqual(pieces.map((_, i) => i === last));
      }
    });
  }

  for (const [label, eol] of [
    ['LF', '\n'],
    ['CRLF', '\r\n'],
    ['CR', '\r'],
  ] as const) {
    it(`splits ${label}-framed streams and keeps their other frames byte-identical`, async () => {
      // Gemini's text frame is the last one: with CR framing that case fails (see the test below).
      for (const format of eol === '\r'
        ? (['openai-chat', 'anthropic'] as const)
        : (['openai-chat', 'anthropic', 'gemini'] as const)) {
        const text = graphemeText(60);
        const input = reframe(scenario(format, text).frames.join(''), eol);
        reply = () => ({ chunks: splitBytes(Buffer.from(input), 5, 40) });
        const { path, body } = requestFor(format);
        const res = await post(sluice.url, path, body);
        const got = unsmoothed(format, res.body);
        expect(got.textEvents.length, format).toBe(Math.ceil(60 / 7));
        expect(got.text).toBe(text);
        expect(got.others).toEqual(unsmoothed(format, input).others);
      }
    });

    it(`delivers a ${label}-framed text delta before the upstream sends anything more (no buffering)`, async () => {
      const text = letters(70);
      const frames = reframe(scenario('openai-chat', text).frames.join(''), eol);
      const firstEnd = reframe(scenario('openai-chat', text).frames[0]!, eol).length;
      let release: () => void = () => {};
      const gate = new Promise<void>((r) => (release = r));
      // The first TCP write ends one byte into the next frame, as segments rarely end on frame ends.
      reply = () => ({
        chunks: [frames.slice(0, firstEnd + 1), () => gate.then(() => frames.slice(firstEnd + 1))],
      });
      const { path, body } = requestFor('openai-chat');
      const done = new Promise<string>((resolve, reject) => {
        const req = http.request(`${sluice.url}${path}`, { method: 'POST' }, (res) => {
          let seen = '';
          let released = false;
          res.on('data', (c: Buffer) => {
            seen += c.toString('utf8');
            if (!released && unsmoothed('openai-chat', seen).text === text) {
              released = true;
              release();
            }
          });
          res.on('end', () => resolve(seen));
        });
        req.on('error', reject);
        req.end(body);
      });
      const timeout = new Promise<string>((_, reject) =>
        setTimeout(() => reject(new Error('text held back until the upstream went on')), 4_000),
      );
      const all = await Promise.race([done, timeout]);
      expect(unsmoothed('openai-chat', all).text).toBe(text);
    });
  }

  it('splits the last frame of a CR-framed stream too (Gemini: the final text chunk)', async () => {
    const text = graphemeText(60);
    const input = reframe(scenario('gemini', text).frames.join(''), '\r');
    reply = () => ({ chunks: [input] });
    const { path, body } = requestFor('gemini');
    const res = await post(sluice.url, path, body);
    const got = unsmoothed('gemini', res.body);
    expect(got.text).toBe(text);
    expect(got.textEvents).toHaveLength(Math.ceil(60 / 7));
  });

  it('strips the usage Sluice asked for, and smooths what is left (Chat without include_usage)', async () => {
    const text = letters(50);
    reply = () => ({ chunks: [scenario('openai-chat', text).frames.join('')] });
    const body = JSON.stringify({
      model: 'gpt-test',
      stream: true,
      messages: [{ role: 'user', content: 'hi' }],
    });
    const res = await post(sluice.url, '/v1/chat/completions', body);
    const got = unsmoothed('openai-chat', res.body);
    expect(got.text).toBe(text);
    expect(got.textEvents).toHaveLength(8);
    expect(res.body.toString()).not.toContain('"usage"');
  });

  it('smooths a gzip-encoded upstream stream', async () => {
    const text = graphemeText(80);
    reply = () => ({
      chunks: splitBytes(Buffer.from(scenario('gemini', text).frames.join('')), 3, 50),
      gzip: true,
    });
    const { path, body } = requestFor('gemini');
    const res = await post(sluice.url, path, body);
    expect(res.headers['content-encoding']).toBeUndefined();
    const got = unsmoothed('gemini', res.body);
    expect(got.textEvents).toHaveLength(Math.ceil(80 / 7));
    expect(got.text).toBe(text);
  });

  it('leaves non-SSE bodies and error answers alone', async () => {
    const json = JSON.stringify({
      id: 'c',
      choices: [{ index: 0, message: { role: 'assistant', content: letters(200) } }],
    });
    reply = () => ({ headers: { 'content-type': 'application/json' }, chunks: [json] });
    const ok = await post(sluice.url, '/v1/chat/completions', JSON.stringify({ model: 'm', messages: [] }));
    expect(ok.body.toString()).toBe(json);
    const err = '{"error":{"message":"bad request","type":"invalid_request_error"}}';
    reply = () => ({ status: 400, headers: { 'content-type': 'application/json' }, chunks: [err] });
    const bad = await post(sluice.url, '/v1/chat/completions', JSON.stringify({ model: 'm', messages: [] }));
    expect(bad.status).toBe(400);
    expect(bad.body.toString()).toBe(err);
  });

  it('ends a stream cut after a split with whole frames and then an error event', async () => {
    const text = letters(50);
    const frames = scenario('openai-chat', text).frames;
    reply = () => ({ chunks: [frames[0]!, frames[1]!.slice(0, 30)], cut: true });
    const { path, body } = requestFor('openai-chat');
    const res = await post(sluice.url, path, body);
    const all = framesOf(res.body);
    expect(unsmoothed('openai-chat', res.body).text).toBe(text);
    expect(all.at(-1)).toMatch(/^data: \{"error":\{.*\}\}\n\n$/);
    expect(res.body.toString()).not.toContain('"tool_calls"'); // the cut frame was dropped, not half-sent
  });
});
