import type { FakeReply, RecordedRequest } from '../../support/fake-upstream';
import { anthropic } from './fake-anthropic';
import { gemini } from './fake-gemini';
import { openai } from './fake-responses';
import type { UpstreamKind, UpstreamMode } from './upstream-kit';

export type { UpstreamKind, UpstreamMode } from './upstream-kit';

/**
 * The one answer each fake upstream gives, per format: two lines with accents, CJK, a ZWJ emoji
 * sequence and a flag, so smoothing meets graphemes it must not split.
 */
export const ANSWERS: Record<UpstreamKind, string> = {
  anthropic: 'Sluice relayed this from the fake Anthropic upstream: café ☕, 東京 👩‍💻.\nSecond line, intact.',
  openai:
    'Sluice relayed this from the fake Responses upstream: naïve façade 🚀, 北京.\nSecond line, intact.',
  gemini:
    'Sluice relayed this from the fake Gemini upstream: crème brûlée 🍮, 大阪 🇯🇵.\nSecond line, intact.',
};

/** The reply function for a FakeUpstream that speaks `kind` the way the vendor does, in `mode`. */
export function llmReply(
  kind: UpstreamKind,
  mode: UpstreamMode,
  text: string = ANSWERS[kind],
): (req: RecordedRequest) => FakeReply {
  return (req) => {
    switch (kind) {
      case 'anthropic':
        return anthropic(req, mode, text);
      case 'openai':
        return openai(req, mode, text);
      case 'gemini':
        return gemini(req, mode, text);
    }
  };
}
