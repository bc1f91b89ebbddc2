import { describe, expect, it } from 'vitest';
import { splitGraphemes } from '../../../src/shared/graphemes';

const segmenter = new Intl.Segmenter(undefined, { granularity: 'grapheme' });

/** Grapheme clusters of `text`, segmented in context. */
const clusters = (text: string): string[] => [...segmenter.segment(text)].map((s) => s.segment);

/** UTF-16 offsets where a grapheme cluster starts, in the whole text (0 excluded). */
const boundaries = (text: string): Set<number> =>
  new Set([...segmenter.segment(text)].map((s) => s.index).filter((i) => i > 0));

/** True when `s` holds no unpaired surrogate. */
function wellFormed(s: string): boolean {
  for (let i = 0; i < s.length; i++) {
    const c = s.charCodeAt(i);
    if (c >= 0xd800 && c <= 0xdbff) {
      const d = s.charCodeAt(i + 1);
      if (!(d >= 0xdc00 && d <= 0xdfff)) return false;
      i++;
    } else if (c >= 0xdc00 && c <= 0xdfff) return false;
  }
  return true;
}

const FAMILY = '👨‍👩‍👧‍👦'; // ZWJ sequence, 11 UTF-16 units
const FLAGS = '🇯🇵🇫🇷🇺🇦'; // three regional-indicator pairs
const SCOTLAND = '🏴󠁧󠁢󠁳󠁣󠁴󠁿'; // tag sequence
const THUMB = '👍🏽'; // skin-tone modifier
const KEYCAP = '1️⃣';
const COMBINING = 'e\u0301\u0323'; // e + acute + dot below
const HANGUL = '\u1100\u1161\u11A8'; // conjoining jamo: one syllable
const POOL = [
  'a',
  'Z',
  ' ',
  'é',
  '東',
  '京',
  '🗼',
  FAMILY,
  '🇯🇵',
  SCOTLAND,
  THUMB,
  KEYCAP,
  COMBINING,
  HANGUL,
  '\r\n',
  '\n',
  'ﷺ',
  '👩🏽‍💻',
  '🏳️‍🌈',
];

/** Checks every property a split must have for `text` at `max`. */
function expectGoodSplit(text: string, max: number): string[] {
  const pieces = splitGraphemes(text, max);
  expect(pieces.join('')).toBe(text);
  const total = clusters(text).length;
  expect(pieces).toHaveLength(Math.max(1, Math.ceil(total / max)));
  const inContext = boundaries(text);
  let at = 0;
  for (const [i, piece] of pieces.entries()) {
    expect(wellFormed(piece)).toBe(true);
    const n = clusters(piece).length;
    expect(n).toBeLessThanOrEqual(max);
    if (i < pieces.length - 1) expect(n).toBe(max);
    at += piece.length;
    // A piece ends where the whole text has a cluster boundary (not only where the piece alone has one).
    if (i < pieces.length - 1) expect(inContext.has(at)).toBe(true);
  }
  return pieces;
}

/** A flat (sequential) copy of `s`, like the strings JSON.parse hands the splitters. */
const flat = (s: string): string => JSON.parse(JSON.stringify(s)) as string;

/** xorshift32: deterministic pseudo-random numbers per seed. */
function rng(seed: number): () => number {
  let x = seed >>> 0 || 1;
  return () => {
    x ^= x << 13;
    x ^= x >>> 17;
    x ^= x << 5;
    return (x >>> 0) / 0x1_0000_0000;
  };
}

describe('splitGraphemes', () => {
  it('returns short text whole, including the empty string', () => {
    expect(splitGraphemes('', 3)).toEqual(['']);
    expect(splitGraphemes('abc', 3)).toEqual(['abc']);
    expect(splitGraphemes('a', 1)).toEqual(['a']);
  });

  it('cuts plain text into pieces of exactly max characters, the last one shorter', () => {
    expect(splitGraphemes('abcdefgh', 3)).toEqual(['abc', 'def', 'gh']);
    expect(splitGraphemes('abcdef', 3)).toEqual(['abc', 'def']);
    expect(splitGraphemes('abcd', 1)).toEqual(['a', 'b', 'c', 'd']);
  });

  it('never cuts a ZWJ family emoji', () => {
    expect(splitGraphemes(`a${FAMILY}b`, 1)).toEqual(['a', FAMILY, 'b']);
    expect(splitGraphemes(`${FAMILY}${FAMILY}${FAMILY}`, 2)).toEqual([FAMILY + FAMILY, FAMILY]);
  });

  it('counts a ZWJ sequence as one cluster even when its UTF-16 length exceeds max', () => {
    // 11 UTF-16 units but one grapheme: fits a piece of 1.
    expect(splitGraphemes(FAMILY, 1)).toEqual([FAMILY]);
    expect(splitGraphemes(`${FAMILY}x`, 2)).toEqual([`${FAMILY}x`]);
  });

  it('keeps both regional indicators of a flag together', () => {
    expect(splitGraphemes(FLAGS, 1)).toEqual(['🇯🇵', '🇫🇷', '🇺🇦']);
    expect(splitGraphemes(`x${FLAGS}`, 2)).toEqual(['x🇯🇵', '🇫🇷🇺🇦']);
  });

  it('keeps a base letter with all its combining marks', () => {
    expect(splitGraphemes(`${COMBINING}${COMBINING}a`, 1)).toEqual([COMBINING, COMBINING, 'a']);
    expect(splitGraphemes('Zalgo: Z\u0351\u0352\u0353o', 7)).toEqual(['Zalgo: ', 'Z\u0351\u0352\u0353o']);
  });

  it('keeps tag sequences, skin tones, keycaps, conjoining jamo and CRLF whole', () => {
    for (const cluster of [SCOTLAND, THUMB, KEYCAP, HANGUL, '\r\n', '👩🏽‍💻', '🏳️‍🌈']) {
      expect(splitGraphemes(`a${cluster}b${cluster}`, 1)).toEqual(['a', cluster, 'b', cluster]);
    }
  });

  it('never leaves a lone surrogate in a piece (astral characters without joiners)', () => {
    const text = '𝕳𝖊𝖑𝖑𝖔 🗼🗼🗼 𠜎𠜱𠝹';
    for (let max = 1; max <= 6; max++) {
      for (const piece of splitGraphemes(text, max)) expect(wellFormed(piece)).toBe(true);
    }
  });

  it('passes a lone surrogate already in the input through without making it worse', () => {
    const text = `ab\uD83Dcd\uDE00ef`;
    const pieces = splitGraphemes(text, 2);
    expect(pieces.join('')).toBe(text);
  });

  it('holds for random mixes of tricky clusters at every max from 1 to 9', () => {
    for (let seed = 1; seed <= 60; seed++) {
      const next = rng(seed);
      const len = 1 + Math.floor(next() * 40);
      let text = '';
      for (let i = 0; i < len; i++) text += POOL[Math.floor(next() * POOL.length)]!;
      for (let max = 1; max <= 9; max++) expectGoodSplit(text, max);
    }
  });

  it('splits a 500-grapheme text into ceil(500/max) pieces', () => {
    const text = Array.from({ length: 500 }, (_, i) => POOL[i % POOL.length]!).join('');
    expect(clusters(text)).toHaveLength(500);
    for (const max of [1, 3, 7, 20, 499, 500]) expectGoodSplit(text, max);
    expect(splitGraphemes(text, 500)).toEqual([text]);
  });

  it('splits a few thousand characters correctly (a realistic big delta)', () => {
    const text = flat('héllo 🇯🇵 '.repeat(400));
    const pieces = splitGraphemes(text, 20);
    expect(pieces.join('')).toBe(text);
    expect(pieces).toHaveLength(Math.ceil(3200 / 20));
  });

  it('splits a 30 000-character delta in well under a second (linear, not quadratic)', () => {
    const text = flat('hello wörld 🇯🇵 '.repeat(2000));
    const t0 = performance.now();
    const pieces = splitGraphemes(text, 20);
    const ms = performance.now() - t0;
    expect(pieces.join('')).toBe(text);
    expect(ms).toBeLessThan(1000);
  });
});
