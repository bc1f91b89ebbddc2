import { kindForFormat, type ApiFormat, type ProviderKind, type RouteMatch } from '../shared/api-format';
import { anthropicAdapter } from './anthropic';
import { geminiAdapter } from './gemini';
import { openAiChatAdapter } from './openai-chat';
import { openAiResponsesAdapter } from './openai-responses';
import type { FormatAdapter, InboundHeaders } from './types';

/**
 * Every wire format Sluice speaks, one line each; the Record type makes a missing format a compile
 * error. The order is the order `guessFormat` asks in: the first format to claim an unknown request
 * wins, so Chat, which claims every caller, comes last.
 */
const ADAPTERS: Readonly<Record<ApiFormat, FormatAdapter>> = {
  gemini: geminiAdapter,
  anthropic: anthropicAdapter,
  'openai-responses': openAiResponsesAdapter,
  'openai-chat': openAiChatAdapter,
};

const ALL: readonly FormatAdapter[] = Object.values(ADAPTERS);

/** The adapter that speaks `format`. */
export function adapterFor(format: ApiFormat): FormatAdapter {
  return ADAPTERS[format];
}

/** An adapter that a provider of `kind` serves (for its auth style when no request names a format). */
export function adapterForKind(kind: ProviderKind): FormatAdapter {
  return ALL.find((adapter) => kindForFormat(adapter.format) === kind)!;
}

/** Whether every %-escape of `path` decodes (a route decodes its parts); checked before routing. */
export function escapesDecode(path: string): boolean {
  if (!path.includes('%')) return true;
  try {
    decodeURIComponent(path);
    return true;
  } catch {
    return false;
  }
}

/**
 * Maps an inbound path (no query) to its format and operation; null when Sluice does not serve it
 * (a malformed %-escape included: callers answer that with a 400 first, see `escapesDecode`).
 */
export function matchRoute(method: string, path: string): RouteMatch | null {
  if (!escapesDecode(path)) return null;
  for (const adapter of ALL) {
    const route = adapter.matchRoute(method, path);
    if (route !== null) return route;
  }
  return null;
}

/** Best guess of the caller's format for an unknown path, so a 404 speaks its language. */
export function guessFormat(path: string, headers: InboundHeaders): ApiFormat {
  for (const adapter of ALL) if (adapter.claimsUnknown(path, headers)) return adapter.format;
  return 'openai-chat'; // not reached while Chat claims every caller
}

export type * from './types';
