import { providerFormats, type RouteMatch } from '../../shared/api-format';
import type { ProviderConfig } from '../../shared/config';
import { adapterFor, type FormatAdapter } from '../../formats';
import type { TurnRequest } from '../../formats/turn/types';
import type { RequestContext } from './request-context';
import type { SignatureBook } from './signature-book';

/**
 * How one attempt speaks to its provider: in the client's own format (relayed byte for byte, the
 * path that must not get slower), or translated to the provider's first listed format.
 */
export interface Translation {
  /** The provider's format for this attempt. */
  readonly adapter: FormatAdapter;
  /** The route (path under the base URL) and query the provider is sent. */
  readonly route: RouteMatch;
  readonly query: string;
  /** The request as the provider's format says it (the upstream model already mapped). */
  readonly body: Buffer;
  /** The client's request in the internal shape, for encoding the answer back. */
  readonly turn: TurnRequest;
  /** Where a Gemini provider's tool-call signatures are kept for the client's next turn, if anywhere. */
  readonly signatures: SignatureBook | null;
}

/** The requested model mapped through the provider's `models`: its own entry, else `"*"`, else as asked. */
export function mapModel(provider: ProviderConfig, model: string | null): string | null {
  if (model === null) return null;
  return provider.models[model] ?? provider.models['*'] ?? model;
}

/** A request that cannot be said in a provider's format; the message says why and what to do. */
export class Untranslatable extends Error {}

/** Whether `provider` accepts the request's own format: then nothing is translated. */
export function speaksNatively(ctx: RequestContext, provider: ProviderConfig): boolean {
  return providerFormats(provider).includes(ctx.format);
}

/** The client's request in the internal shape, decoded once per request whatever the attempts. */
function turnOf(ctx: RequestContext): TurnRequest {
  const cached = TURNS.get(ctx);
  if (cached !== undefined) return cached;
  const decoded = ctx.adapter.turn.decodeRequest(ctx.json ?? {}, ctx.route.urlModel);
  // Gemini carries streaming in the URL, not the body: the route said which.
  const turn: TurnRequest = { ...decoded, stream: ctx.stream };
  TURNS.set(ctx, turn);
  return turn;
}
const TURNS = new WeakMap<RequestContext, TurnRequest>();

/**
 * The translated request for an attempt on `provider`, or null when the provider speaks the
 * client's format (or the request is not a generation: counting tokens and listing models are
 * answered only by providers of the client's own format).
 */
export function translationFor(
  ctx: RequestContext,
  provider: ProviderConfig,
  upstreamModel: string | null,
  signatures: SignatureBook | null = null,
): Translation | null {
  if (speaksNatively(ctx, provider) || ctx.route.op !== 'generate') return null;
  const target = providerFormats(provider)[0]!;
  const adapter = adapterFor(target);
  const turn = turnOf(ctx);
  // Responses state lives at the vendor: another format has no conversation to continue or keep.
  if (turn.previousResponseId)
    throw new Untranslatable(
      `previous_response_id continues a conversation kept by an OpenAI Responses provider; ${provider.id} speaks ${target} and has none — send the whole history (store: false), or route this model to a Responses provider`,
    );
  if (turn.store === true)
    throw new Untranslatable(
      `store: true asks the provider to keep this response for later turns; ${provider.id} speaks ${target} and cannot — send store: false with the whole history, or route this model to a Responses provider`,
    );
  // Gemini's signatures on earlier tool calls, which the client's format could not carry back.
  const sent = target === 'gemini' && signatures !== null ? signatures.attach(turn) : turn;
  const encoded = adapter.turn.encodeRequest(
    { ...sent, model: upstreamModel ?? turn.model },
    { maxOutputTokens: provider.maxOutputTokens ?? null, replayReasoning: provider.replayReasoning ?? false },
  );
  const { route, query } = adapter.generateRoute(ctx.stream);
  const book = target === 'gemini' ? signatures : null;
  return { adapter, route, query, body: Buffer.from(JSON.stringify(encoded)), turn, signatures: book };
}

/** Header name prefixes that belong to one vendor and must not reach another's API. */
const VENDOR_ONLY: readonly { prefix: string; format: readonly string[] }[] = [
  { prefix: 'anthropic-', format: ['anthropic'] },
  { prefix: 'x-goog-', format: ['gemini'] },
  { prefix: 'openai-', format: ['openai-chat', 'openai-responses'] },
  { prefix: 'x-stainless-', format: [] }, // one SDK's telemetry, describing the client's SDK, not the request
];

/**
 * The client's headers as a translated request may carry them: another vendor's own headers
 * (`anthropic-beta`, `anthropic-version`, `x-goog-api-client`, `openai-beta`…) are left out, and so
 * are the client's credentials — they are its own vendor's and go to no other.
 */
export function translatedInbound(
  inbound: Readonly<Record<string, string | string[] | undefined>>,
  target: FormatAdapter,
  credentialHeaders: ReadonlySet<string>,
): Record<string, string | string[] | undefined> {
  const out: Record<string, string | string[] | undefined> = {};
  for (const [name, value] of Object.entries(inbound)) {
    if (credentialHeaders.has(name)) continue;
    if (VENDOR_ONLY.some((v) => name.startsWith(v.prefix) && !v.format.includes(target.format))) continue;
    out[name] = value;
  }
  out['content-type'] = 'application/json';
  Object.assign(out, target.translatedHeaders());
  return out;
}
