const segmenter = new Intl.Segmenter(undefined, { granularity: 'grapheme' });

/** Text segmented at a time: Node 20's segmenter slows down the further into a string it gets. */
const WINDOW = 1024;

/**
 * Splits text into pieces of at most `max` grapheme clusters, so no piece ends inside a ZWJ emoji,
 * a flag or a base letter with its combining marks (and so never on a lone surrogate). Linear in the
 * text: it segments windows, restarting each at the last boundary of the one before.
 */
export function splitGraphemes(text: string, max: number): string[] {
  if (text.length <= max) return [text]; // ≤ max UTF-16 units is ≤ max graphemes
  const out: string[] = [];
  let pieceStart = 0;
  let count = 0;
  let pos = 0;
  while (pos < text.length) {
    const end = Math.min(text.length, pos + WINDOW);
    const starts: number[] = [];
    for (const { index } of segmenter.segment(text.slice(pos, end))) starts.push(pos + index);
    // The window's last cluster may continue past its end: it is segmented again with the next window.
    const last = end < text.length && starts.length > 1 ? starts.length - 1 : starts.length;
    for (let i = 0; i < last; i++) {
      if (count === max) {
        out.push(text.slice(pieceStart, starts[i]));
        pieceStart = starts[i]!;
        count = 0;
      }
      count++;
    }
    pos = last < starts.length ? starts[last]! : end;
  }
  out.push(text.slice(pieceStart));
  return out;
}
