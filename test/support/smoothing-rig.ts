import { FakeUpstream, splitBytes, type FakeReply, type RecordedRequest } from './fake-upstream';
import { startSluice, type TestSluice } from './sluice';
import { fixtures, type Fixture } from './fixtures';
import { graphemeText, reframe, scenario } from './smoothing-streams';
import type { ApiFormat } from '../../src/shared/api-format';

/**
 * For the SDK equivalence tests: one fake upstream serving streams by model name, and one Sluice per
 * smoothing setup (off, then fixed and adaptive at 3 and 20 graphemes, with tiny delays).
 */

export const SMOOTHING = {
  plain: { enabled: false },
  fixed3: { enabled: true, mode: 'fixed', chunkChars: 3, delayMs: 1, maxLagMs: 5 },
  fixed20: { enabled: true, mode: 'fixed', chunkChars: 20, delayMs: 1, maxLagMs: 5 },
  adaptive3: { enabled: true, mode: 'adaptive', chunkChars: 3, delayMs: 1, maxLagMs: 5 },
  adaptive20: { enabled: true, mode: 'adaptive', chunkChars: 20, delayMs: 1, maxLagMs: 5 },
} as const;

export type SetupName = keyof typeof SMOOTHING;
export const SMOOTHED: readonly SetupName[] = ['fixed3', 'fixed20', 'adaptive3', 'adaptive20'];

export interface Rig {
  upstream: FakeUpstream;
  sluice: Record<SetupName, TestSluice>;
  /** Registers a stream and returns the model name that gets it. */
  serve(sse: Buffer): string;
  close(): Promise<void>;
}

/** The model a request names: the body's `model`, or Gemini's URL segment. */
function modelOf(req: RecordedRequest): string {
  const m = /\/models\/([^/:?]+)/.exec(req.url);
  if (m) return decodeURIComponent(m[1]!);
  const model = (req.json as { model?: unknown } | null)?.model;
  return typeof model === 'string' ? model : '';
}

export async function startRig(): Promise<Rig> {
  const streams = new Map<string, Buffer>();
  let seed = 1;
  const upstream = await new FakeUpstream((req): FakeReply => {
    const sse = streams.get(modelOf(req));
    if (sse === undefined)
      return {
        status: 404,
        headers: { 'content-type': 'application/json' },
        chunks: ['{"error":{"message":"no such stream"}}'],
      };
    return {
      headers: { 'content-type': 'text/event-stream; charset=utf-8' },
      // At most ~40 writes, each a separate TCP write, 1 ms apart for the small streams.
      chunks: splitBytes(sse, seed++, Math.max(64, Math.ceil(sse.length / 40))),
      delayMs: sse.length < 8_000 ? 1 : 0,
    };
  }).start();
  const entries = await Promise.all(
    (Object.keys(SMOOTHING) as SetupName[]).map(async (name) => {
      const s = await startSluice({
        providers: [
          { id: 'oai', kind: 'openai', baseUrl: `${upstream.url}/v1`, apiKey: 'sk-p', priority: 1 },
          { id: 'ant', kind: 'anthropic', baseUrl: upstream.url, apiKey: 'sk-ant-p', priority: 1 },
          { id: 'gem', kind: 'gemini', baseUrl: upstream.url, apiKey: 'gk-p', priority: 1 },
        ],
        settings: {
          smoothing: SMOOTHING[name],
          maxAttempts: 1,
          circuitMinSamples: 1000,
          circuitConsecutiveFailures: 1000,
        },
      });
      return [name, s] as const;
    }),
  );
  const sluice = Object.fromEntries(entries) as Record<SetupName, TestSluice>;
  let n = 0;
  return {
    upstream,
    sluice,
    serve(sse) {
      const key = `stream-${++n}`;
      streams.set(key, sse);
      return key;
    },
    async close() {
      for (const s of Object.values(sluice)) await s.close();
      await upstream.close();
    },
  };
}

/** One stream to replay, and the setups to compare with smoothing off. */
export interface Case {
  name: string;
  sse: Buffer;
  setups: readonly SetupName[];
  /** Whether every ≤3-grapheme setup must show more text events than without smoothing. */
  expectSplits: boolean;
}

const FOLDER: Record<ApiFormat, Fixture['folder']> = {
  'openai-chat': 'openai_chat',
  'openai-responses': 'responses',
  anthropic: 'anthropic',
  gemini: 'gemini',
};

/** The recorded fixture of each format that is also replayed with CRLF and with CR line endings. */
const REFRAMED: Record<ApiFormat, string> = {
  'openai-chat': 'azure-gpt-4.1-mini-emoji-content-filter',
  'openai-responses': 'gpt-4o-text',
  anthropic: 'claude-haiku-4.5-text-emoji',
  gemini: 'gemini-thinking-thought-parts',
};

/**
 * Every recorded fixture of `format` in all setups, plus the synthetic scenario (a 500-grapheme
 * delta among tool, thinking and usage events); those two and one fixture also reframed with CRLF
 * (adaptive, 3 graphemes) and with CR (fixed, 3 graphemes).
 */
export function casesFor(format: ApiFormat): Case[] {
  const out: Case[] = [];
  const synthetic = Buffer.from(scenario(format, graphemeText(500)).frames.join(''));
  const streams = [
    ...fixtures(FOLDER[format]).map((fx) => ({ name: fx.name, sse: fx.sse })),
    { name: 'synthetic-500-grapheme-delta', sse: synthetic },
  ];
  for (const { name, sse } of streams) {
    out.push({ name, sse, setups: SMOOTHED, expectSplits: true });
    if (name !== REFRAMED[format] && name !== 'synthetic-500-grapheme-delta') continue;
    const text = sse.toString('utf8');
    out.push({
      name: `${name} (CRLF)`,
      sse: Buffer.from(reframe(text, '\r\n')),
      setups: ['adaptive3'],
      expectSplits: false,
    });
    out.push({
      name: `${name} (CR)`,
      sse: Buffer.from(reframe(text, '\r')),
      setups: ['fixed3'],
      expectSplits: false,
    });
  }
  return out;
}
