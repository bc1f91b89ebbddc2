/** The four wire formats Sluice speaks, and the provider kinds that serve them. */
export type ApiFormat = 'openai-chat' | 'openai-responses' | 'anthropic' | 'gemini';

/** A provider kind: `openai` serves Chat Completions and Responses. */
export type ProviderKind = 'openai' | 'anthropic' | 'gemini';

export const API_FORMATS: readonly ApiFormat[] = ['openai-chat', 'openai-responses', 'anthropic', 'gemini'];

/** The names the config uses for the formats a provider accepts (`providers[].formats`). */
export const WIRE_FORMAT_NAMES = ['chat', 'responses', 'messages', 'gemini'] as const;
export type WireFormatName = (typeof WIRE_FORMAT_NAMES)[number];

const FORMAT_BY_NAME: Readonly<Record<WireFormatName, ApiFormat>> = {
  chat: 'openai-chat',
  responses: 'openai-responses',
  messages: 'anthropic',
  gemini: 'gemini',
};

/** The formats a provider accepts, in its order: its `formats`, else its kind's. */
export function providerFormats(p: {
  kind: ProviderKind;
  formats?: readonly WireFormatName[] | undefined;
}): ApiFormat[] {
  if (p.formats !== undefined) return p.formats.map((n) => FORMAT_BY_NAME[n]);
  switch (p.kind) {
    case 'openai':
      return ['openai-chat', 'openai-responses'];
    case 'anthropic':
      return ['anthropic'];
    case 'gemini':
      return ['gemini'];
  }
}

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

/** What an inbound request asks for, beyond its format. The route table lives in `src/formats/`. */
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
