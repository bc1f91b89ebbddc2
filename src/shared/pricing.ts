import type { NormalizedUsage } from './usage';

/**
 * A price for the models whose name matches `modelPattern`, in USD per million tokens.
 * A null cache price falls back to the input price (the provider gave no discount we know of).
 */
export interface PriceRule {
  /** Glob on the normalised model name (see normalizeModelName): `*` any run, `?` one character. */
  modelPattern: string;
  /** Only requests served by this provider id; null = any provider. */
  provider: string | null;
  /** Tier: applies when the prompt (input + cache read + cache write) is larger than this; 0 = base tier. */
  abovePromptTokens: number;
  inputPerMTok: number;
  cacheReadPerMTok: number | null;
  cacheWrite5mPerMTok: number | null;
  cacheWrite1hPerMTok: number | null;
  outputPerMTok: number;
}

export type PriceSource = 'builtin' | 'user';

/** A rule as stored: rows are never edited, an edit retires the old row, so history keeps its price. */
export interface StoredPriceRule extends PriceRule {
  id: number;
  source: PriceSource;
  /** ms since the epoch */
  createdAt: number;
  retiredAt: number | null;
}

/**
 * Lower-cased, without any `vendor/` or `models/` prefix, and with dots between digits made dashes,
 * so `models/gemini-2.5-pro`, `anthropic/claude-sonnet-4.5` and `claude-sonnet-4-5` meet one rule.
 */
export function normalizeModelName(name: string): string {
  const base = name.slice(name.lastIndexOf('/') + 1).toLowerCase();
  return base.replace(/(\d)\.(?=\d)/g, '$1-');
}

function globToRegExp(pattern: string): RegExp {
  const body = normalizeModelName(pattern)
    .split('')
    .map((c) => (c === '*' ? '.*' : c === '?' ? '.' : c.replace(/[\\^$.|+()[\]{}]/g, '\\$&')))
    .join('');
  return new RegExp(`^${body}$`);
}

/** How specific a rule is: provider-bound beats any provider, a user's rule beats a shipped one, then longer literal text. */
function specificity(r: StoredPriceRule): number {
  const literal = r.modelPattern.replace(/[*?]/g, '').length;
  return (r.provider === null ? 0 : 1_000_000) + (r.source === 'user' ? 1000 : 0) + literal;
}

function groupKey(r: StoredPriceRule): string {
  return `${r.source}\u0000${r.provider ?? ''}\u0000${normalizeModelName(r.modelPattern)}`;
}

/** Finds the price of a request; built once per set of active rules. */
export interface PriceBook {
  /** The rule that prices `model` on `provider` for a prompt of `promptTokens`, or null when none matches. */
  match(model: string | null, provider: string | null, promptTokens: number): StoredPriceRule | null;
}

/** Builds a book over the active rules; the winning group per model/provider is cached. */
export function createPriceBook(rules: readonly StoredPriceRule[]): PriceBook {
  const compiled = rules
    .filter((r) => r.retiredAt === null)
    .map((r) => ({ rule: r, re: globToRegExp(r.modelPattern), score: specificity(r), key: groupKey(r) }));
  // Tiers of the winning group, highest threshold first; bounded because model names are few.
  const cache = new Map<string, StoredPriceRule[]>();
  const tiersFor = (model: string, provider: string | null): StoredPriceRule[] => {
    const cacheKey = `${provider ?? ''}\u0000${model}`;
    const hit = cache.get(cacheKey);
    if (hit !== undefined) return hit;
    const name = normalizeModelName(model);
    const candidates = compiled.filter(
      (c) => (c.rule.provider === null || c.rule.provider === provider) && c.re.test(name),
    );
    let best: (typeof candidates)[number] | undefined;
    for (const c of candidates) if (best === undefined || c.score > best.score) best = c;
    const tiers =
      best === undefined
        ? []
        : candidates
            .filter((c) => c.key === best.key)
            .map((c) => c.rule)
            .sort((a, b) => b.abovePromptTokens - a.abovePromptTokens);
    if (cache.size > 10_000) cache.clear();
    cache.set(cacheKey, tiers);
    return tiers;
  };
  return {
    match(model, provider, promptTokens) {
      if (model === null || model === '') return null;
      const tiers = tiersFor(model, provider);
      return tiers.find((t) => promptTokens > t.abovePromptTokens) ?? tiers.at(-1) ?? null;
    },
  };
}

/** Tokens that count toward a tier threshold. */
export function promptTokens(u: NormalizedUsage): number {
  return (u.inputTokens ?? 0) + (u.cacheReadTokens ?? 0) + (u.cacheWriteTokens ?? 0);
}

/**
 * Cost in USD of `u` at `rule`, or null when no token count is known. Output includes reasoning
 * (it is normalised that way), so reasoning is not added again. Cache writes without a 5m/1h split
 * are priced as 5-minute writes, Anthropic's default.
 */
export function costUsd(rule: PriceRule, u: NormalizedUsage): number | null {
  const counts = [u.inputTokens, u.cacheReadTokens, u.cacheWriteTokens, u.outputTokens];
  if (counts.every((n) => n === null)) return null;
  const write5m = rule.cacheWrite5mPerMTok ?? rule.inputPerMTok;
  const write1h = rule.cacheWrite1hPerMTok ?? write5m;
  const w5 = u.cacheWrite5mTokens ?? 0;
  const w1 = u.cacheWrite1hTokens ?? 0;
  const unsplit = Math.max(0, (u.cacheWriteTokens ?? 0) - w5 - w1);
  const micro =
    (u.inputTokens ?? 0) * rule.inputPerMTok +
    (u.cacheReadTokens ?? 0) * (rule.cacheReadPerMTok ?? rule.inputPerMTok) +
    (w5 + unsplit) * write5m +
    w1 * write1h +
    (u.outputTokens ?? 0) * rule.outputPerMTok;
  return micro / 1_000_000;
}
