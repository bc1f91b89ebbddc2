import { splitGraphemes } from '../../shared/graphemes';
import { asObject, asString, parseObject } from '../common/json-read';
import { frame } from '../common/sse-frame';
import type { TextSplitter } from '../types';

/** `content_block_delta` events carrying a `text_delta`; pieces keep the event name and block index. */
export function createAnthropicSplitter(): TextSplitter {
  return {
    split(event, data, max) {
      if (event !== 'content_block_delta' || data.length <= max || !data.includes('"text_delta"'))
        return null;
      const ev = parseObject(data);
      const delta = ev === null ? null : asObject(ev.delta);
      const text = delta === null ? null : asString(delta.text);
      if (ev === null || delta === null || text === null || delta.type !== 'text_delta') return null;
      const pieces = splitGraphemes(text, max);
      if (pieces.length < 2) return null;
      return {
        frames: pieces.map((piece) => frame({ ...ev, delta: { ...delta, text: piece } }, event)),
        pieces: pieces.length,
      };
    },
  };
}
