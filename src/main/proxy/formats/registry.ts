import type { ApiFormat } from '../../../shared/api-format';
import { anthropicAdapter } from './anthropic';
import { geminiAdapter } from './gemini';
import { openAiChatAdapter } from './openai-chat';
import { openAiResponsesAdapter } from './openai-responses';
import type { FormatAdapter } from './types';

/** One line per wire format; the Record type makes a missing format a compile error. */
const ADAPTERS: Readonly<Record<ApiFormat, FormatAdapter>> = {
  'openai-chat': openAiChatAdapter,
  'openai-responses': openAiResponsesAdapter,
  anthropic: anthropicAdapter,
  gemini: geminiAdapter,
};

/** The adapter that speaks `format`. */
export function adapterFor(format: ApiFormat): FormatAdapter {
  return ADAPTERS[format];
}
