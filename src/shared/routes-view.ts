import type { ApiFormat } from './api-format';

/** One provider of a tested chain: whether a request would try it, and why (or why not). */
export interface RouteChainEntry {
  provider: string;
  /** `candidate`: tried in this order. `skipped`: left out, `reason` says why (disabled, cooling, format…). */
  status: 'candidate' | 'skipped';
  reason: string;
}

/** `routes.test`: which route a model name hits for a client of `format`, and the chain it leads to. */
export interface RouteTest {
  model: string;
  format: ApiFormat;
  /** The first route whose globs match (its index and the glob that matched), or null: the default chain. */
  route: { index: number; glob: string } | null;
  chain: RouteChainEntry[];
}
