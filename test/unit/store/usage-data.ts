import type { ClientApp, RequestOutcome } from '../../../src/shared/usage';
import type { UsageWriter } from '../../../src/main/store/write/usage-writer';
import { aFinish, aStart } from './fixtures';

/** A deterministic pseudo-random source, so a failing case can be replayed. */
export function rng(seed: number): () => number {
  let x = seed >>> 0 || 1;
  return () => {
    x ^= x << 13;
    x ^= x >>> 17;
    x ^= x << 5;
    return (x >>> 0) / 4294967296;
  };
}

export const CLIENTS: readonly ClientApp[] = ['claude-code', 'codex', 'curl'];
export const PROVIDERS = ['anthropic-main', 'openai-main', 'backup'] as const;
export const MODELS = ['claude-sonnet-4-5', 'gpt-4o-mini', 'gemini-2.5-flash', 'mystery'] as const;
const OUTCOMES: readonly RequestOutcome[] = ['completed', 'completed', 'completed', 'failed', 'aborted'];

function pick<T>(r: () => number, list: readonly T[]): T {
  return list[Math.floor(r() * list.length)]!;
}

/** Writes `count` finished requests spread over [fromMs, fromMs + spanMs) through the writer; returns their ids. */
export function writeSyntheticRequests(
  writer: UsageWriter,
  opts: { count: number; fromMs: number; spanMs: number; seed: number; open?: number },
): string[] {
  const r = rng(opts.seed);
  const ids: string[] = [];
  for (let i = 0; i < opts.count; i++) {
    const model = pick(r, MODELS);
    const start = aStart({
      startedAtMs: opts.fromMs + Math.floor(r() * opts.spanMs),
      client: pick(r, CLIENTS),
      model,
    });
    writer.requestStarted(start);
    ids.push(start.requestId);
    if (i < (opts.open ?? 0)) continue; // left open, like a crash would
    const status = pick(r, OUTCOMES);
    const reported = r() < 0.9;
    writer.requestFinished(
      aFinish(start.requestId, {
        status,
        provider: pick(r, PROVIDERS),
        upstreamModel: r() < 0.5 ? null : model,
        ttfbMs: status === 'failed' && r() < 0.5 ? null : Math.round(20 + r() * 4000),
        inputTokens: reported ? Math.floor(r() * 5000) : null,
        cacheReadTokens: reported ? Math.floor(r() * 20000) : null,
        cacheWriteTokens: reported ? Math.floor(r() * 300) : null,
        cacheWrite5mTokens: null,
        cacheWrite1hTokens: null,
        outputTokens: reported ? Math.floor(r() * 2000) : null,
        reasoningTokens: reported ? Math.floor(r() * 100) : null,
        usageProvenance: reported ? 'reported' : 'none',
      }),
    );
  }
  return ids;
}
