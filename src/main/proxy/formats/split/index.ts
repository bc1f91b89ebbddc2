import type { ApiFormat } from '../../../../shared/api-format';
import { createAnthropicSplitter } from './anthropic-split';
import { createGeminiSplitter } from './gemini-split';
import { createOpenAiChatSplitter } from './openai-chat-split';
import { createOpenAiResponsesSplitter } from './openai-responses-split';
import type { TextSplitter } from './types';

const SPLITTERS: Readonly<Record<ApiFormat, () => TextSplitter>> = {
  'openai-chat': createOpenAiChatSplitter,
  'openai-responses': createOpenAiResponsesSplitter,
  anthropic: createAnthropicSplitter,
  gemini: createGeminiSplitter,
};

/** A fresh text splitter for one response in `format`. */
export function textSplitterFor(format: ApiFormat): TextSplitter {
  return SPLITTERS[format]();
}

export type { TextSplitter } from './types';
