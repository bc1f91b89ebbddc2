import { splitGraphemes } from '../../shared/graphemes';
import { asArray, asObject, asString, parseObject } from '../common/json-read';
import { frame } from '../common/sse-frame';
import type { TextSplitter } from '../types';

/** Chunks with one candidate whose content is a single, non-thought text part. */
export function createGeminiSplitter(): TextSplitter {
  return {
    split(event, data, max) {
      if ((event !== undefined && event !== 'message') || data.length <= max || !data.includes('"text"'))
        return null;
      const chunk = parseObject(data);
      const candidates = chunk === null ? null : asArray(chunk.candidates);
      if (chunk === null || candidates?.length !== 1 || chunk.error != null) return null;
      const candidate = asObject(candidates[0]);
      const content = candidate === null ? null : asObject(candidate.content);
      const parts = content === null ? null : asArray(content.parts);
      const part = parts?.length === 1 ? asObject(parts[0]) : null;
      const text = part === null ? null : asString(part.text);
      if (candidate === null || content === null || part === null || text === null) return null;
      if (Object.keys(part).some((k) => k !== 'text')) return null; // thoughts, signatures: as they are
      const pieces = splitGraphemes(text, max);
      if (pieces.length < 2) return null;
      const frames = pieces.map((piece, i) => {
        const last = i === pieces.length - 1;
        const cand: Record<string, unknown> = {
          ...candidate,
          content: { ...content, parts: [{ text: piece }] },
        };
        if (!last) {
          delete cand.finishReason;
          delete cand.finishMessage;
          delete cand.safetyRatings;
          delete cand.citationMetadata;
        }
        const out: Record<string, unknown> = { ...chunk, candidates: [cand] };
        if (!last) delete out.usageMetadata;
        return frame(out);
      });
      return { frames, pieces: pieces.length };
    },
  };
}
