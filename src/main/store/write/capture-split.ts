import type { BodySegment } from '../../../shared/usage-query';

/*
 * Where a captured response may be cut between two writes. Redaction sees one write's bytes at a time,
 * so an open stream is written only up to its last whole SSE frame: a secret lies inside one frame and
 * is never split across two stored rows.
 */

/** Bytes held in `segments`. */
export function segmentBytes(segments: readonly BodySegment[]): number {
  let n = 0;
  for (const seg of segments) for (const part of seg.parts) n += part.bytes.length;
  return n;
}

const LF = 0x0a;
const CR = 0x0d;

/**
 * Where an open stream may be cut between two writes: after its last complete SSE frame. Secrets are
 * found within what one write holds, and a secret lies inside one frame, so no secret is ever split
 * across two stored chunks. Earlier attempts are over and go whole; the open attempt's bytes after
 * its last blank line (or all of a JSON body, still arriving) wait for the next write.
 */
export function splitAtFrameEnd(segments: readonly BodySegment[]): {
  emit: BodySegment[];
  rest: BodySegment[];
} {
  if (segments.length === 0) return { emit: [], rest: [] };
  const done = segments.slice(0, -1);
  const open = segments[segments.length - 1]!;
  const at = open.mode === 'sse' ? lastFrameEnd(open.parts) : null;
  if (at === null) return { emit: done, rest: [open] };
  const head: BodySegment['parts'] = open.parts.slice(0, at.part);
  const tail: BodySegment['parts'] = open.parts.slice(at.part + 1);
  const cut = open.parts[at.part]!;
  if (at.offset > 0) head.push({ offsetMs: cut.offsetMs, bytes: cut.bytes.subarray(0, at.offset) });
  if (at.offset < cut.bytes.length)
    tail.unshift({ offsetMs: cut.offsetMs, bytes: cut.bytes.subarray(at.offset) });
  return {
    emit: head.length === 0 ? done : [...done, { ...open, parts: head }],
    rest: tail.length === 0 ? [] : [{ ...open, parts: tail }],
  };
}

/**
 * The position just after the last blank line (LF LF, CR CR, or CR LF CR LF) across the parts, as a
 * part and an offset in it; null when there is none. It walks back from the end and stops at the first
 * it finds, so it reads only the open frame's bytes.
 */
function lastFrameEnd(parts: BodySegment['parts']): { part: number; offset: number } | null {
  const starts: number[] = [];
  let total = 0;
  for (const part of parts) {
    starts.push(total);
    total += part.bytes.length;
  }
  let p = parts.length - 1;
  const at = (k: number): number => {
    while (p > 0 && starts[p]! > k) p--;
    while (p < parts.length - 1 && starts[p + 1]! <= k) p++;
    return parts[p]!.bytes[k - starts[p]!]!;
  };
  for (let k = total - 1; k >= 1; k--) {
    const c = at(k);
    if (c !== LF && c !== CR) continue;
    const b = at(k - 1);
    const crlf = c === LF && b === CR && k >= 3 && at(k - 2) === LF && at(k - 3) === CR;
    if (b === c || crlf) {
      // The end is k + 1 in the flat bytes: find its part again (the walk may have moved `p` down).
      const end = k + 1;
      let q = parts.length - 1;
      while (q > 0 && starts[q]! >= end) q--;
      return { part: q, offset: end - starts[q]! };
    }
  }
  return null;
}
