import type { ProviderConfig, RouteConfig } from '../../shared/config';
import type { Failure } from '../../shared/failure';
import type { RouteChoice } from '../../shared/route-choice';
import { kindForFormat, providerFormats, type ApiFormat, type RouteOp } from '../../shared/api-format';
import { conversationOf, type AffinityBook } from './affinity';
import type { RequestLedger } from './ledger';
import type { RequestContext } from './request-context';
import { matchRoute, routeChain, type MatchedRoute } from './routes';
import { balanceTies, turnFirst, type WeightedTurns } from './weights';

/**
 * Enabled providers that serve this format, lowest priority number first; ties keep config order.
 * Those that speak it natively come first; a provider of another format joins (translated) only for a
 * generation whose model its `models` map names (or `"*"`). Counting tokens and listing models stay with providers of the client's own format.
 */
export function candidatesFor(
  format: ApiFormat,
  providers: readonly ProviderConfig[],
  model: string | null = null,
  op: RouteOp = 'generate',
): ProviderConfig[] {
  return providers
    .map((p, i) => ({ p, i, native: providerFormats(p).includes(format) }))
    .filter(({ p, native }) => p.enabled && (native || (op === 'generate' && claimsModel(p, model))))
    .sort((a, b) => a.p.priority - b.p.priority || Number(b.native) - Number(a.native) || a.i - b.i)
    .map(({ p }) => p);
}

/**
 * A provider of another format serves this model when its `models` map names it (or has `"*"`): the
 * user said what that model is called there. `allowModels` only narrows; it never opts a provider in.
 */
function claimsModel(p: ProviderConfig, model: string | null): boolean {
  if (model === null) return false;
  return Object.hasOwn(p.models, model) || Object.hasOwn(p.models, '*');
}

/** Why nothing could be tried, in words a user can act on. */
export function noProviderMessage(format: ApiFormat, providers: readonly ProviderConfig[]): string {
  const kind = kindForFormat(format);
  const ofKind = providers.filter((p) => p.kind === kind);
  if (ofKind.length === 0) {
    return `Sluice has no provider of kind "${kind}" for ${format} requests: add one to the config (providers[].kind = "${kind}").`;
  }
  return `Sluice's ${kind} providers (${ofKind.map((p) => p.id).join(', ')}) are all disabled: enable one.`;
}

/**
 * True when `text` matches `pattern`, where `*` stands for any run of characters (none included) and
 * everything else is literal, anchored at both ends. Linear in the text for each literal piece: the
 * first piece must start it, the last end it, and those between are found left to right, each as early
 * as it can be (the earliest place never loses a match). A backtracking regex took seconds on a long
 * name with a few stars.
 */
export function globMatches(pattern: string, text: string): boolean {
  const pieces = pattern.split('*');
  if (pieces.length === 1) return pattern === text;
  const first = pieces[0]!;
  const last = pieces[pieces.length - 1]!;
  const end = text.length - last.length;
  if (end < first.length || !text.startsWith(first) || !text.endsWith(last)) return false;
  let at = first.length;
  for (let i = 1; i < pieces.length - 1; i++) {
    const piece = pieces[i]!;
    if (piece === '') continue;
    const found = text.indexOf(piece, at);
    if (found === -1 || found + piece.length > end) return false;
    at = found + piece.length;
  }
  return true;
}

/** `allowModels` entries are exact names or `*` globs. */
export function modelAllowed(allow: readonly string[] | undefined, model: string | null): boolean {
  if (allow === undefined) return true;
  if (model === null) return false;
  return allow.some((pattern) => globMatches(pattern, model));
}

/**
 * The chain a request's format, model and op lead to before anything is judged by the moment: the
 * first route whose globs match the model gives its providers in its order (see routeChain); no match
 * gives the default chain, the providers that serve the format by priority minus those whose
 * `allowModels` exclude the model. Each provider left out with a reason goes to `skip`. The gateway
 * and the Routes tester (`route-explain.ts`) both call this.
 */
export function planChain(
  format: ApiFormat,
  model: string | null,
  op: RouteOp,
  providers: readonly ProviderConfig[],
  routes: readonly RouteConfig[],
  skip: (p: ProviderConfig, failure: Failure) => void,
): { chain: ProviderConfig[]; matched: MatchedRoute | null } {
  const matched = matchRoute(routes, model);
  if (matched !== null)
    return { chain: routeChain(matched.route, format, model, op, providers, skip), matched };
  const chain: ProviderConfig[] = [];
  for (const p of candidatesFor(format, providers, model, op)) {
    if (modelAllowed(p.allowModels, model)) chain.push(p);
    else skip(p, { code: 'model_not_allowed' });
  }
  return { chain, matched: null };
}

/** What choosing a request's chain reads beside the providers: the routes and the turn state. */
export interface Routing {
  routes: readonly RouteConfig[];
  turns: WeightedTurns;
  affinity: AffinityBook;
  /** Whether `p` could take a request now (no cooldown or open circuit, below its concurrency limit); reads only. */
  available: (p: ProviderConfig) => boolean;
}

/** A request's chain, how it was chosen, and its conversation key (null: none, or affinity is off). */
export interface ChosenChain {
  chain: ProviderConfig[];
  choice: RouteChoice;
  conversation: string | null;
}

/**
 * The chain for one request (planChain), then who goes first: the provider that served the
 * conversation's previous turn while it is available (session affinity), else whose weighted turn it
 * is — a `"balance": "weighted"` route's providers, or the first priority tie of the default chain
 * when one of its providers sets `weight`. The rest keep their order for failover. Circuits,
 * cooldowns and limits are judged again per attempt, when the chain is walked.
 */
export function chooseCandidates(
  ctx: RequestContext,
  providers: readonly ProviderConfig[],
  ledger: RequestLedger,
  routing: Routing | null = null,
): ChosenChain {
  const skip = (p: ProviderConfig, f: Failure): void => ledger.skipped(p, f);
  const planned = planChain(ctx.format, ctx.model, ctx.route.op, providers, routing?.routes ?? [], skip);
  const m = planned.matched;
  const choice: RouteChoice = {
    route: m === null ? null : { index: m.index, glob: m.glob, models: [...m.route.models] },
    affinity: null,
    weighted: null,
  };
  if (routing === null) return { chain: planned.chain, choice, conversation: null };

  const ttl = ctx.settings.affinityTtlMs;
  const conv = ttl > 0 ? conversationOf(ctx) : null;
  const conversation = conv?.key ?? null;
  const entry = conv === null || !conv.follows ? null : routing.affinity.get(conv.key, ttl);
  const kept = entry === null ? undefined : planned.chain.find((p) => p.id === entry.provider);
  if (kept !== undefined && routing.available(kept)) {
    choice.affinity = kept.id;
    return { chain: [kept, ...planned.chain.filter((p) => p !== kept)], choice, conversation };
  }
  let chain = planned.chain;
  if (m !== null && m.route.balance === 'weighted' && chain.length > 1) {
    const group = `route|${m.index}|${ctx.format}|${chain.map((p) => p.id).join(',')}`;
    const turn = turnFirst(routing.turns, group, chain, routing.available);
    chain = turn.order;
    choice.weighted = turn.picked?.id ?? null;
  } else if (m === null) {
    const turn = balanceTies(routing.turns, `default|${ctx.format}`, chain, routing.available);
    chain = turn.chain;
    choice.weighted = turn.picked?.id ?? null;
  }
  return { chain, choice, conversation };
}
