import type { ProviderConfig } from '../../shared/config';
import { kindForFormat, providerFormats, type ApiFormat, type RouteOp } from '../../shared/api-format';
import type { RequestLedger } from './ledger';
import type { RequestContext } from './request-context';

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
 * The chain for one request: the providers that serve its format, in order, minus those whose
 * `allowModels` exclude its model (recorded as skipped). Circuits, cooldowns and limits are judged
 * per attempt, when the chain is walked.
 */
export function chooseCandidates(
  ctx: RequestContext,
  providers: readonly ProviderConfig[],
  ledger: RequestLedger,
): ProviderConfig[] {
  const chain: ProviderConfig[] = [];
  for (const p of candidatesFor(ctx.format, providers, ctx.model, ctx.route.op)) {
    if (modelAllowed(p.allowModels, ctx.model)) chain.push(p);
    else ledger.skipped(p, { code: 'model_not_allowed' });
  }
  return chain;
}
