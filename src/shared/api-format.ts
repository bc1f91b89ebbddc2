/** The four wire formats Sluice speaks, and the provider kinds that serve them. */
export type ApiFormat = 'openai-chat' | 'openai-responses' | 'anthropic' | 'gemini';

/** A provider kind: `openai` serves Chat Completions and Responses. */
export type ProviderKind = 'openai' | 'anthropic' | 'gemini';

export const API_FORMATS: readonly ApiFormat[] = ['openai-chat', 'openai-responses', 'anthropic', 'gemini'];

/** Which provider kind serves a format. */
export function kindForFormat(format: ApiFormat): ProviderKind {
  switch (format) {
    case 'openai-chat':
    case 'openai-responses':
      return 'openai';
    case 'anthropic':
      return 'anthropic';
    case 'gemini':
      return 'gemini';
  }
}

/** What an inbound request asks for, beyond its format. */
export type RouteOp =
  | 'generate' // a chat/messages/responses/generateContent call (stream or not)
  | 'count-tokens'
  | 'list-models';

export interface RouteMatch {
  format: ApiFormat;
  op: RouteOp;
  /** Model named in the URL (Gemini), else null: the body names it. */
  urlModel: string | null;
  /** The path after the vendor's base (OpenAI: after `/v1`), query excluded. */
  upstreamPath: string;
  /** Gemini: `streamGenerateContent` streams; the others read `stream` from the body. */
  urlStreams: boolean;
}

const GEMINI_RE =
  /^\/(v1beta|v1|v1alpha)\/models\/([^/:]+):(streamGenerateContent|generateContent|countTokens)$/;

/** Maps an inbound path (no query) to its format and operation; null when Sluice does not serve it. */
export function matchRoute(method: string, path: string): RouteMatch | null {
  if (method === 'POST') {
    switch (path) {
      case '/v1/chat/completions':
        return {
          format: 'openai-chat',
          op: 'generate',
          urlModel: null,
          upstreamPath: '/chat/completions',
          urlStreams: false,
        };
      case '/v1/responses':
        return {
          format: 'openai-responses',
          op: 'generate',
          urlModel: null,
          upstreamPath: '/responses',
          urlStreams: false,
        };
      case '/v1/messages':
        return {
          format: 'anthropic',
          op: 'generate',
          urlModel: null,
          upstreamPath: '/v1/messages',
          urlStreams: false,
        };
      case '/v1/messages/count_tokens':
        return {
          format: 'anthropic',
          op: 'count-tokens',
          urlModel: null,
          upstreamPath: '/v1/messages/count_tokens',
          urlStreams: false,
        };
    }
    const m = GEMINI_RE.exec(path);
    if (m) {
      const [, version, model, method_] = m as unknown as [string, string, string, string];
      return {
        format: 'gemini',
        op: method_ === 'countTokens' ? 'count-tokens' : 'generate',
        urlModel: decodeURIComponent(model),
        upstreamPath: `/${version}/models/{model}:${method_}`,
        urlStreams: method_ === 'streamGenerateContent',
      };
    }
    return null;
  }
  if (method === 'GET') {
    if (path === '/v1/models') {
      return {
        format: 'openai-chat',
        op: 'list-models',
        urlModel: null,
        upstreamPath: '/models',
        urlStreams: false,
      };
    }
    if (path === '/v1beta/models') {
      return {
        format: 'gemini',
        op: 'list-models',
        urlModel: null,
        upstreamPath: '/v1beta/models',
        urlStreams: false,
      };
    }
  }
  return null;
}

/** Best guess of the caller's format for an unknown path, so a 404 speaks its language. */
export function guessFormat(path: string, headers: Record<string, string | string[] | undefined>): ApiFormat {
  if (path.includes('/models/') || path.startsWith('/v1beta') || headers['x-goog-api-key'] !== undefined)
    return 'gemini';
  if (headers['anthropic-version'] !== undefined || path.startsWith('/v1/messages')) return 'anthropic';
  if (path.startsWith('/v1/responses')) return 'openai-responses';
  return 'openai-chat';
}
