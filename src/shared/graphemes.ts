const segmenter = new Intl.Segmenter(undefined, { granularity: 'grapheme' });

/**
 * Splits text into pieces of at most `max` grapheme clusters, so no piece ends inside a ZWJ emoji,
 * a flag or a base letter with its combining marks (and so never on a lone surrogate).
 */
export function splitGraphemes(text: string, max: number): string[] {
  if (text.length <= max) return [text]; // ≤ max UTF-16 units is ≤ max graphemes
  const out: string[] = [];
  let start = 0;
  let count = 0;
  for (const { index } of segmenter.segment(text)) {
    if (count === max) {
      out.push(text.slice(start, index));
      start = index;
      count = 0;
    }
    count++;
  }
  out.push(text.slice(start));
  return out;
}
