import { describe, expect, it } from 'vitest';
import { createUtf8Stream } from '../../../src/main/proxy/utf8-stream';

/** What the WHATWG decoder makes of the whole stream at once: the reference. */
function reference(bytes: Uint8Array): string {
  return new TextDecoder('utf-8').decode(bytes);
}

function streamed(bytes: Uint8Array, cuts: readonly number[]): string {
  const d = createUtf8Stream();
  let text = '';
  let from = 0;
  for (const cut of [...cuts, bytes.length]) {
    text += d.write(bytes.subarray(from, cut));
    from = cut;
  }
  return text + d.end();
}

/** Deterministic PRNG (mulberry32), so a failure names a reproducible case. */
function rng(seed: number): () => number {
  let a = seed;
  return () => {
    a = (a + 0x6d2b79f5) | 0;
    let t = Math.imul(a ^ (a >>> 15), 1 | a);
    t = (t + Math.imul(t ^ (t >>> 7), 61 | t)) ^ t;
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

// Valid leads and continuations, the edge leads (E0, ED, F0, F4), never-valid bytes, BOM bytes, ASCII.
const POOL = [
  0x41, 0x0a, 0xc2, 0xa9, 0xe2, 0x82, 0xac, 0xf0, 0x9f, 0x98, 0x80, 0xbf, 0xc0, 0xc1, 0xe0, 0xed, 0xa0, 0xf4,
  0x90, 0xf5, 0xff, 0xef, 0xbb,
];

describe('utf8-stream', () => {
  it('gives what TextDecoder gives for the whole stream, for any bytes split anywhere', () => {
    const random = rng(20261126);
    for (let i = 0; i < 20_000; i++) {
      const bytes = Uint8Array.from(
        { length: 1 + Math.floor(random() * 14) },
        () => POOL[Math.floor(random() * POOL.length)]!,
      );
      const cuts: number[] = [];
      for (let at = 0; ;) {
        at += 1 + Math.floor(random() * 4);
        if (at >= bytes.length) break;
        cuts.push(at);
      }
      const want = reference(bytes);
      const got = streamed(bytes, cuts);
      if (got !== want)
        expect({ bytes: [...bytes], cuts, got }).toEqual({ bytes: [...bytes], cuts, got: want });
    }
  });

  it('drops one leading BOM even when it comes a byte at a time, and keeps a second one', () => {
    const bytes = Uint8Array.from([0xef, 0xbb, 0xbf, 0xef, 0xbb, 0xbf, 0x61]);
    expect(streamed(bytes, [1, 2])).toBe('\ufeffa');
    expect(streamed(bytes, [])).toBe('\ufeffa');
    expect(streamed(Uint8Array.from([0x61, 0xef, 0xbb, 0xbf]), [1])).toBe('a\ufeff');
  });

  it('keeps a character whose bytes arrive in separate chunks, and marks one the stream cuts short', () => {
    const euro = Buffer.from('€!', 'utf8');
    expect(streamed(euro, [1, 2])).toBe('€!');
    expect(streamed(euro.subarray(0, 2), [1])).toBe('\ufffd');
  });
});
