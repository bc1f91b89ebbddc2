// Writes and reads: the TTFB histogram's buckets and blob layout, written by rollups and read by summaries, so it sits with the schema.
import type BetterSqlite3 from 'better-sqlite3';

/**
 * The TTFB histogram of the hourly rollup: percentiles of millions of requests from 24 counters per
 * row. Buckets are about 25 % wide, so a percentile read back is within roughly ±12 %. The counters
 * live in one 96-byte blob (big-endian uint32s) rather than 24 columns: a summary reads thousands of
 * rows, and each column costs a JavaScript value per row. Migration 002 carries a frozen copy of the
 * bounds; changing them needs a migration that rebuilds the rollup.
 */

/** Upper bounds (exclusive, ms) of buckets 0…22; bucket 23 holds everything from 30 s up. */
export const TTFB_BOUNDS_MS: readonly number[] = [
  50, 100, 150, 200, 300, 400, 500, 650, 800, 1000, 1250, 1500, 2000, 2500, 3000, 4000, 5000, 6500, 8000,
  10000, 15000, 20000, 30000,
];

export const TTFB_BUCKETS = TTFB_BOUNDS_MS.length + 1;
const BLOB_BYTES = TTFB_BUCKETS * 4;

/** The bucket of a TTFB in ms, or -1 for none. */
export function ttfbBucket(ms: number | null): number {
  if (ms === null || !Number.isFinite(ms)) return -1;
  for (let i = 0; i < TTFB_BOUNDS_MS.length; i++) if (ms < TTFB_BOUNDS_MS[i]!) return i;
  return TTFB_BUCKETS - 1;
}

/** SQL for the bucket of `column` (-1 for NULL), for statements that bucket many rows at once. */
export function ttfbBucketSql(column: string): string {
  const whens = TTFB_BOUNDS_MS.map((b, i) => `WHEN ${column} < ${b} THEN ${i}`).join(' ');
  return `CASE WHEN ${column} IS NULL THEN -1 ${whens} ELSE ${TTFB_BUCKETS - 1} END`;
}

/** SQL aggregating the bucket expression `b` of a group into a histogram blob, each row counting `weight`. */
export function ttfbHistogramAggregateSql(b: string, weight = '1'): string {
  const counts = Array.from(
    { length: TTFB_BUCKETS },
    (_, i) => `total(CASE WHEN ${b} = ${i} THEN ${weight} ELSE 0 END)`,
  ).join(', ');
  return `unhex(printf('${'%08x'.repeat(TTFB_BUCKETS)}', ${counts}))`;
}

/** The blob of `counts` (TTFB_BUCKETS of them), each capped at the counter's 32 bits. */
export function ttfbHistogramBlob(counts: ArrayLike<number>): Buffer {
  const blob = Buffer.alloc(BLOB_BYTES);
  for (let i = 0; i < TTFB_BUCKETS; i++) blob.writeUInt32BE(Math.min(counts[i] ?? 0, 0xffffffff), i * 4);
  return blob;
}

/** Adds the counts of a stored blob (null or malformed counts as empty) into `into`, from `offset`. */
export function addTtfbHistogram(into: Float64Array, offset: number, blob: unknown): void {
  if (!(blob instanceof Uint8Array) || blob.length !== BLOB_BYTES) return;
  const view = new DataView(blob.buffer, blob.byteOffset, blob.byteLength);
  for (let i = 0; i < TTFB_BUCKETS; i++) into[offset + i]! += view.getUint32(i * 4);
}

/** Registers `sluice_ttfb_merge(a, b)` on a connection: the element-wise sum of two histogram blobs. */
export function registerTtfbFunctions(db: BetterSqlite3.Database): void {
  db.function('sluice_ttfb_merge', { deterministic: true }, (a: unknown, b: unknown) => {
    const sum = new Float64Array(TTFB_BUCKETS);
    addTtfbHistogram(sum, 0, a);
    addTtfbHistogram(sum, 0, b);
    return ttfbHistogramBlob(sum);
  });
}

/**
 * The p-th percentile (0 < p ≤ 1) of the histogram `counts`, interpolated linearly inside its bucket;
 * the open last bucket reports its lower bound. Null when the histogram is empty.
 */
export function ttfbPercentile(counts: ArrayLike<number>, p: number): number | null {
  let total = 0;
  for (let i = 0; i < counts.length; i++) total += counts[i]!;
  if (total === 0) return null;
  const rank = p * total;
  let below = 0;
  for (let i = 0; i < counts.length; i++) {
    const n = counts[i]!;
    if (n > 0 && below + n >= rank) {
      const lo = i === 0 ? 0 : TTFB_BOUNDS_MS[i - 1]!;
      const hi = TTFB_BOUNDS_MS[i];
      if (hi === undefined) return lo;
      return Math.round(lo + ((rank - below) / n) * (hi - lo));
    }
    below += n;
  }
  return TTFB_BOUNDS_MS.at(-1) ?? null;
}
