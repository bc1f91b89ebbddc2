import type { ApiFormat } from '../../../shared/api-format';
import type { ClientApp } from '../../../shared/usage';

const CLIENTS: Record<ClientApp, string> = {
  'claude-code': 'Claude Code',
  codex: 'Codex',
  'gemini-cli': 'Gemini CLI',
  'openai-sdk': 'OpenAI SDK',
  'anthropic-sdk': 'Anthropic SDK',
  'google-sdk': 'Google SDK',
  curl: 'curl',
  other: 'other',
};

const FORMATS: Record<ApiFormat, string> = {
  'openai-chat': 'chat',
  'openai-responses': 'responses',
  anthropic: 'messages',
  gemini: 'gemini',
};

/** A client app's display name. */
export function clientLabel(c: string): string {
  return (CLIENTS as Record<string, string | undefined>)[c] ?? c;
}

/** A wire format's short name, as the list shows it. */
export function formatLabel(f: ApiFormat): string {
  return FORMATS[f];
}

/** A translation's direction in short names: `messages → chat` (the client's format, then the provider's). */
export function translationLabel(from: ApiFormat, to: ApiFormat): string {
  return `${FORMATS[from]} → ${FORMATS[to]}`;
}

/** The inbound path a format is served on (Gemini's names the model and the streaming method). */
export function formatPath(f: ApiFormat, model: string | null, stream: boolean): string {
  switch (f) {
    case 'openai-chat':
      return '/v1/chat/completions';
    case 'openai-responses':
      return '/v1/responses';
    case 'anthropic':
      return '/v1/messages';
    case 'gemini': {
      const m = encodeURIComponent(model ?? 'MODEL');
      return stream
        ? `/v1beta/models/${m}:streamGenerateContent?alt=sse`
        : `/v1beta/models/${m}:generateContent`;
    }
  }
}
