import { splitGraphemes } from '../../shared/graphemes';
import { asArray, asObject, asString, parseObject } from '../common/json-read';
import { frame } from '../common/sse-frame';
import type { TextSplitter } from '../types';

/** Chat chunks with exactly one choice whose delta is text only. */
export function createOpenAiChatSplitter(): TextSplitter {
  return {
    split(event, data, max) {
      if (event !== undefined && event !== 'message') return null;
      if (data.length <= max || !data.includes('"content"')) return null;
      const chunk = parseObject(data);
      const choices = chunk === null ? null : asArray(chunk.choices);
      if (chunk === null || choices?.length !== 1 || chunk.error != null) return null;
      const choice = asObject(choices[0]);
      const delta = choice === null ? null : asObject(choice.delta);
      const text = delta === null ? null : asString(delta.content);
      if (choice === null || delta === null || text === null) return null;
      // Compatible providers add empty fields (`reasoning: null`, `reasoning_details: []`): still pure text.
      const empty = (v: unknown): boolean => v === null || v === '' || (Array.isArray(v) && v.length === 0);
      if (Object.entries(delta).some(([k, v]) => k !== 'content' && k !== 'role' && !empty(v))) return null;
      const pieces = splitGraphemes(text, max);
      if (pieces.length < 2) return null;
      const frames = pieces.map((piece, i) => {
        const last = i === pieces.length - 1;
        const d: Record<string, unknown> = i === 0 ? { ...delta, content: piece } : { content: piece };
        const c: Record<string, unknown> = { ...choice, delta: d };
        if (!last && 'finish_reason' in choice) c.finish_reason = null;
        // Log-probs describe the whole delta's tokens: they stay with the first piece.
        if (i > 0 && 'logprobs' in choice) c.logprobs = null;
        const out: Record<string, unknown> = { ...chunk, choices: [c] };
        if (!last && 'usage' in chunk) out.usage = null;
        return frame(out, event);
      });
      return { frames, pieces: pieces.length };
    },
  };
}
