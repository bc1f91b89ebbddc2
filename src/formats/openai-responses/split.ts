import { splitGraphemes } from '../../shared/graphemes';
import { asNumber, asString, parseObject } from '../common/json-read';
import { frame } from '../common/sse-frame';
import type { TextSplitter } from '../types';

const SEQ = /"sequence_number"\s*:\s*(\d+)/;

/**
 * `response.output_text.delta` events. Pieces keep item and content ids; because the official
 * `responses.stream()` helper wants `sequence_number` strictly increasing, every later event's number
 * is shifted by the pieces added so far — the only byte that changes in an event that is not split.
 */
export function createOpenAiResponsesSplitter(): TextSplitter {
  let shift = 0;
  // Patch the number in the frame as it came: framing, ids and comments stay byte-identical.
  const shifted = (
    event: string | undefined,
    data: string,
    raw = `${event === undefined ? '' : `event: ${event}\n`}data: ${data}\n\n`,
  ): { frames: string[]; pieces: number } | null => {
    if (shift === 0) return null;
    const m = SEQ.exec(raw);
    if (m === null) return null;
    return { frames: [raw.replace(SEQ, `"sequence_number":${Number(m[1]) + shift}`)], pieces: 1 };
  };
  return {
    split(event, data, max, raw) {
      if (!data.includes('"response.output_text.delta"') || data.length <= max)
        return shifted(event, data, raw);
      const ev = parseObject(data);
      const text = ev === null ? null : asString(ev.delta);
      const seq = ev === null ? null : asNumber(ev.sequence_number);
      if (ev === null || text === null || ev.type !== 'response.output_text.delta')
        return shifted(event, data, raw);
      const pieces = splitGraphemes(text, max);
      if (pieces.length < 2) return shifted(event, data, raw);
      const frames = pieces.map((piece, i) => {
        const out: Record<string, unknown> = { ...ev, delta: piece };
        if (seq !== null) out.sequence_number = seq + shift + i;
        // Log-probs describe the whole delta's tokens: they stay with the first piece.
        if (i > 0 && 'logprobs' in ev) out.logprobs = [];
        return frame(out, event);
      });
      shift += pieces.length - 1;
      return { frames, pieces: pieces.length };
    },
  };
}
