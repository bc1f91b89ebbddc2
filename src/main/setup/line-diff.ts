import { toLines } from './text-file';

/** Lines of context around each change, as `diff -u` shows them. */
const CONTEXT = 3;
/**
 * Past this many cells (changed region's old lines × new lines) the changed region is shown as all
 * removed then all added rather than aligned: the alignment table stays under ~16 MB.
 */
const MAX_CELLS = 4_000_000;

type Op = { kind: ' ' | '-' | '+'; text: string };

/** The changed middle aligned on a longest common subsequence of lines. */
function align(a: readonly string[], b: readonly string[]): Op[] {
  const n = a.length;
  const m = b.length;
  if (n * m > MAX_CELLS || n === 0 || m === 0)
    return [
      ...a.map((text) => ({ kind: '-' as const, text })),
      ...b.map((text) => ({ kind: '+' as const, text })),
    ];
  // lcs[i * (m + 1) + j]: length of the LCS of a[i..] and b[j..].
  const lcs = new Uint32Array((n + 1) * (m + 1));
  for (let i = n - 1; i >= 0; i--)
    for (let j = m - 1; j >= 0; j--)
      lcs[i * (m + 1) + j] =
        a[i] === b[j]
          ? lcs[(i + 1) * (m + 1) + j + 1]! + 1
          : Math.max(lcs[(i + 1) * (m + 1) + j]!, lcs[i * (m + 1) + j + 1]!);
  const ops: Op[] = [];
  let i = 0;
  let j = 0;
  while (i < n && j < m) {
    if (a[i] === b[j]) {
      ops.push({ kind: ' ', text: a[i]! });
      i++;
      j++;
    } else if (lcs[(i + 1) * (m + 1) + j]! >= lcs[i * (m + 1) + j + 1]!)
      ops.push({ kind: '-', text: a[i++]! });
    else ops.push({ kind: '+', text: b[j++]! });
  }
  while (i < n) ops.push({ kind: '-', text: a[i++]! });
  while (j < m) ops.push({ kind: '+', text: b[j++]! });
  return ops;
}

function lineOps(a: readonly string[], b: readonly string[]): Op[] {
  // An edit touches a few lines of a file: the common head and tail need no alignment.
  let head = 0;
  while (head < a.length && head < b.length && a[head] === b[head]) head++;
  let tail = 0;
  while (
    tail < a.length - head &&
    tail < b.length - head &&
    a[a.length - 1 - tail] === b[b.length - 1 - tail]
  )
    tail++;
  return [
    ...a.slice(0, head).map((text) => ({ kind: ' ' as const, text })),
    ...align(a.slice(head, a.length - tail), b.slice(head, b.length - tail)),
    ...a.slice(a.length - tail).map((text) => ({ kind: ' ' as const, text })),
  ];
}

const range = (start: number, count: number): string =>
  count === 1 ? String(start) : `${count === 0 ? start - 1 : start},${count}`;

/**
 * A unified diff (`diff -u` format, 3 lines of context) from `before` to `after`, with `label` as both
 * file names; null `before` is a file that does not exist yet, null `after` one that will be deleted.
 * Empty when the texts are equal. Line endings and a BOM are not compared (the editors keep them).
 */
export function unifiedDiff(label: string, before: string | null, after: string | null): string {
  if (before === after) return '';
  const ops = lineOps(toLines(before).lines, toLines(after).lines);
  const changed = ops.flatMap((op, k) => (op.kind === ' ' ? [] : [k]));
  if (changed.length === 0) return '';
  const out = [`--- ${before === null ? '/dev/null' : label}`, `+++ ${after === null ? '/dev/null' : label}`];
  // Old and new line numbers (1-based) at the start of each op.
  const oldAt: number[] = [];
  const newAt: number[] = [];
  let o = 1;
  let nw = 1;
  for (const op of ops) {
    oldAt.push(o);
    newAt.push(nw);
    if (op.kind !== '+') o++;
    if (op.kind !== '-') nw++;
  }
  let k = 0;
  while (k < changed.length) {
    const start = Math.max(0, changed[k]! - CONTEXT);
    let last = changed[k]!;
    while (k + 1 < changed.length && changed[k + 1]! - last <= 2 * CONTEXT) last = changed[++k]!;
    k++;
    const end = Math.min(ops.length, last + CONTEXT + 1);
    const hunk = ops.slice(start, end);
    const oldCount = hunk.filter((op) => op.kind !== '+').length;
    const newCount = hunk.filter((op) => op.kind !== '-').length;
    out.push(`@@ -${range(oldAt[start]!, oldCount)} +${range(newAt[start]!, newCount)} @@`);
    out.push(...hunk.map((op) => `${op.kind}${op.text}`));
  }
  return `${out.join('\n')}\n`;
}
