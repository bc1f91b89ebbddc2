import type { PriceRule } from './pricing';

/**
 * List prices shipped with this build, USD per million tokens, standard (not batch) tier, from the
 * vendors' pricing pages. They are synced into the `pricing` table at start: a changed price retires
 * the old row (requests already recorded keep what they were charged) and a user's own rule for the
 * same pattern always wins. Patterns are globs on the normalised name (`4.5` reads as `4-5`), and
 * the most specific match wins, so family fallbacks like `claude-opus-4*` sit under exact versions.
 */

type Row = [
  pattern: string,
  input: number,
  cacheRead: number | null,
  output: number,
  abovePromptTokens?: number,
  cacheWrite5m?: number,
  cacheWrite1h?: number,
];

/** Anthropic: 5-minute cache writes cost 1.25× input, 1-hour writes 2×, cache reads 0.1×. */
function anthropic(pattern: string, input: number, output: number, above = 0): Row {
  return [pattern, input, round(input * 0.1), output, above, round(input * 1.25), round(input * 2)];
}

function round(n: number): number {
  return Math.round(n * 1e6) / 1e6;
}

const ROWS: readonly Row[] = [
  // OpenAI (cached input is the cache-read price; OpenAI charges nothing to write its cache)
  ['gpt-5*', 1.25, 0.125, 10],
  ['gpt-5-mini*', 0.25, 0.025, 2],
  ['gpt-5-nano*', 0.05, 0.005, 0.4],
  ['gpt-5-pro*', 15, null, 120],
  ['gpt-5-1*', 1.25, 0.125, 10],
  ['gpt-5-1-codex-mini*', 0.25, 0.025, 2],
  ['gpt-5-2*', 1.75, 0.175, 14],
  ['gpt-4-1*', 2, 0.5, 8],
  ['gpt-4-1-mini*', 0.4, 0.1, 1.6],
  ['gpt-4-1-nano*', 0.1, 0.025, 0.4],
  ['gpt-4o*', 2.5, 1.25, 10],
  ['gpt-4o-mini*', 0.15, 0.075, 0.6],
  ['gpt-4-turbo*', 10, null, 30],
  ['gpt-3-5-turbo*', 0.5, null, 1.5],
  ['o1*', 15, 7.5, 60],
  ['o1-mini*', 1.1, 0.55, 4.4],
  ['o1-pro*', 150, null, 600],
  ['o3*', 2, 0.5, 8],
  ['o3-mini*', 1.1, 0.55, 4.4],
  ['o3-pro*', 20, null, 80],
  ['o4-mini*', 1.1, 0.275, 4.4],
  ['codex-mini*', 1.5, 0.375, 6],
  // Anthropic
  anthropic('claude-opus-4*', 15, 75), // Opus 4 and 4.1
  anthropic('claude-opus-4-5*', 5, 25),
  anthropic('claude-opus-4-6*', 5, 25),
  anthropic('claude-sonnet-4*', 3, 15),
  // Sonnet 4 and 4.5 bill a prompt over 200k tokens (1M-context beta) at 2× input, 1.5× output.
  anthropic('claude-sonnet-4-5*', 3, 15),
  anthropic('claude-sonnet-4-5*', 6, 22.5, 200_000),
  anthropic('claude-sonnet-4-2025*', 3, 15),
  anthropic('claude-sonnet-4-2025*', 6, 22.5, 200_000),
  anthropic('claude-sonnet-4-0*', 3, 15),
  anthropic('claude-sonnet-4-0*', 6, 22.5, 200_000),
  anthropic('claude-haiku-4*', 1, 5),
  anthropic('claude-3-7-sonnet*', 3, 15),
  anthropic('claude-3-5-sonnet*', 3, 15),
  anthropic('claude-3-5-haiku*', 0.8, 4),
  anthropic('claude-3-opus*', 15, 75),
  ['claude-3-haiku*', 0.25, 0.03, 1.25, 0, 0.3, 0.5],
  // Google (cache read = context-caching price per token; storage is billed apart and not counted here)
  ['gemini-3-pro*', 2, 0.2, 12],
  ['gemini-3-pro*', 4, 0.4, 18, 200_000],
  ['gemini-2-5-pro*', 1.25, 0.125, 10],
  ['gemini-2-5-pro*', 2.5, 0.25, 15, 200_000],
  ['gemini-2-5-flash*', 0.3, 0.03, 2.5],
  ['gemini-2-5-flash-lite*', 0.1, 0.01, 0.4],
  ['gemini-2-0-flash*', 0.1, 0.025, 0.4],
  ['gemini-2-0-flash-lite*', 0.075, null, 0.3],
];

/** The shipped price list. */
export const BUILTIN_PRICES: readonly PriceRule[] = ROWS.map(
  ([modelPattern, inputPerMTok, cacheReadPerMTok, outputPerMTok, above, w5, w1]) => ({
    modelPattern,
    provider: null,
    abovePromptTokens: above ?? 0,
    inputPerMTok,
    cacheReadPerMTok,
    cacheWrite5mPerMTok: w5 ?? null,
    cacheWrite1hPerMTok: w1 ?? null,
    outputPerMTok,
  }),
);
