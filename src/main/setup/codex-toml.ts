import type { EditRecord, Editor, RevertResult } from './editor';
import { CODEX_PROVIDER_LINE } from './plans';
import { SetupError, fromLines, toLines, trimTrailingBlank, type LineDoc } from './text-file';
import { scanToml, valueText, type Statement } from './toml-scan';

export interface CodexRecord {
  kind: 'codex';
  /** The top-level `model_provider` statement Sluice replaced (its lines), or null when there was none. */
  priorProvider: string[] | null;
  /** The user's own `[model_providers.sluice]` definition Sluice replaced (its lines), or null. */
  priorTable: string[] | null;
}

const PROVIDERS = 'model_providers';
const SLUICE = 'sluice';

const startsWith = (key: readonly string[], prefix: readonly string[]): boolean =>
  prefix.every((p, i) => key[i] === p);
const isHeader = (s: Statement): boolean => s.kind === 'table' || s.kind === 'array-table';

/** A replacement of lines `[start, start + count)` of the original by `insert`. */
interface Edit {
  start: number;
  count: number;
  insert: string[];
}

function applyEdits(lines: readonly string[], edits: readonly Edit[]): string[] {
  const out = [...lines];
  // Bottom up, so earlier indices stay valid; at one index, removals before insertions.
  for (const e of [...edits].sort((a, b) => b.start - a.start || b.count - a.count))
    out.splice(e.start, e.count, ...e.insert);
  return out;
}

function scan(doc: LineDoc, label: string, after: string): Statement[] {
  try {
    return scanToml(doc.lines);
  } catch (err) {
    if (err instanceof SetupError)
      throw new SetupError(`${label} is not valid TOML (${err.message}); ${after}`);
    throw err;
  }
}

/**
 * Everything that defines `model_providers.sluice`: its table and sub-tables (from the header to its
 * last key-value; comments just above the next header stay with that header), and dotted keys
 * reaching into it from the top level or from `[model_providers]`.
 */
function sluiceRanges(stmts: readonly Statement[]): { start: number; end: number; table: boolean }[] {
  const ranges: { start: number; end: number; table: boolean }[] = [];
  const path = [PROVIDERS, SLUICE];
  for (let i = 0; i < stmts.length; i++) {
    const s = stmts[i]!;
    if (isHeader(s) && startsWith(s.key, path)) {
      let end = s.end;
      for (let j = i + 1; j < stmts.length && !isHeader(stmts[j]!); j++)
        if (stmts[j]!.kind === 'keyval') end = stmts[j]!.end;
      ranges.push({ start: s.start, end, table: true });
    } else if (
      s.kind === 'keyval' &&
      !startsWith(s.table, path) && // inside a sluice table: already in its range
      startsWith([...s.table, ...s.key], path)
    ) {
      ranges.push({ start: s.start, end: s.end, table: false });
    }
  }
  // Pieces apart only by blank or comment lines (a table and its sub-table) go as one.
  const merged: typeof ranges = [];
  for (const r of ranges) {
    const last = merged.at(-1);
    const between = last === undefined ? [] : stmts.filter((s) => s.start > last.end && s.end < r.start);
    if (last !== undefined && between.every((s) => s.kind === 'other')) {
      last.end = r.end;
      last.table ||= r.table;
    } else merged.push({ ...r });
  }
  return merged;
}

/** The top-level `model_provider = …` statement, if any. */
function providerStatement(stmts: readonly Statement[]): Statement | undefined {
  const firstHeader = stmts.findIndex(isHeader);
  const top = firstHeader < 0 ? stmts : stmts.slice(0, firstHeader);
  return top.find((s) => s.kind === 'keyval' && s.key.length === 1 && s.key[0] === 'model_provider');
}

/**
 * Where a new top-level key goes: after the last top-level key, else above the first table and its comments.
 */
function topLevelInsert(stmts: readonly Statement[], lines: readonly string[]): Edit {
  const firstHeader = stmts.findIndex(isHeader);
  const top = firstHeader < 0 ? stmts : stmts.slice(0, firstHeader);
  const lastKey = top.findLast((s) => s.kind === 'keyval');
  if (lastKey !== undefined) return { start: lastKey.end + 1, count: 0, insert: [CODEX_PROVIDER_LINE] };
  // No table either: after any leading comments (the table then goes below, after a blank line).
  if (firstHeader < 0)
    return { start: trimTrailingBlank(lines).length, count: 0, insert: [CODEX_PROVIDER_LINE] };
  let at = stmts[firstHeader]!.start;
  while (at > 0 && lines[at - 1]!.trim().startsWith('#')) at--;
  return { start: at, count: 0, insert: [CODEX_PROVIDER_LINE, ''] };
}

function slice(lines: readonly string[], ranges: readonly { start: number; end: number }[]): string[] {
  return ranges.flatMap((r) => lines.slice(r.start, r.end + 1));
}

/**
 * Sets `model_provider = "sluice"` at the top level and the `[model_providers.sluice]` table, by lines:
 * comments, other tables and their order stay as they were. An earlier Sluice table (or a dotted
 * definition of it) is replaced in place.
 */
export function codexEditor(label: string, table: readonly string[]): Editor {
  return {
    edit(text, earlier: EditRecord | null) {
      const after = 'fix it, then run this again (nothing was written)';
      const doc = toLines(text);
      const stmts = scan(doc, label, after);
      const inline = stmts.find(
        (s) => s.kind === 'keyval' && s.table.length === 0 && s.key.length === 1 && s.key[0] === PROVIDERS,
      );
      if (inline !== undefined)
        throw new SetupError(
          `${label} defines model_providers as an inline table (line ${inline.start + 1}), which cannot take another provider; ${after}`,
        );
      const before = earlier?.kind === 'codex' ? earlier : null;
      const ranges = sluiceRanges(stmts);
      const provider = providerStatement(stmts);
      const providerLines = provider === undefined ? null : doc.lines.slice(provider.start, provider.end + 1);
      const record: CodexRecord = before ?? {
        kind: 'codex',
        priorProvider: providerLines,
        priorTable: ranges.length === 0 ? null : slice(doc.lines, ranges),
      };
      const changes: string[] = [];
      const edits: Edit[] = ranges.map((r) => ({ start: r.start, count: r.end - r.start + 1, insert: [] }));
      const firstTable = ranges.find((r) => r.table);
      const ours = slice(doc.lines, ranges);
      if (firstTable !== undefined) edits.push({ start: firstTable.start, count: 0, insert: [...table] });
      else {
        const tail = trimTrailingBlank(doc.lines).length;
        const blank = tail > 0 || provider === undefined ? [''] : [];
        edits.push({ start: doc.lines.length, count: 0, insert: [...blank, ...table] });
        if (tail < doc.lines.length) edits.push({ start: tail, count: doc.lines.length - tail, insert: [] });
      }
      const tableChange =
        ours.join('\n') === table.join('\n')
          ? `[${PROVIDERS}.${SLUICE}] (already)`
          : `${ranges.length === 0 ? 'added' : 'replaced'} [${PROVIDERS}.${SLUICE}]: ${table.find((l) => l.startsWith('base_url')) ?? ''}`;
      if (provider === undefined) {
        edits.push(topLevelInsert(stmts, doc.lines));
        changes.push(`added ${CODEX_PROVIDER_LINE} at the top level`);
      } else if (providerLines!.join('\n') === CODEX_PROVIDER_LINE) {
        changes.push(`${CODEX_PROVIDER_LINE} (already)`);
      } else {
        edits.push({
          start: provider.start,
          count: provider.end - provider.start + 1,
          insert: [CODEX_PROVIDER_LINE],
        });
        changes.push(`set ${CODEX_PROVIDER_LINE} (was ${valueText(doc.lines[provider.start]!)})`);
      }
      changes.push(tableChange);
      const lines = applyEdits(doc.lines, edits);
      // Our own output must read back as TOML; if not, that is a bug here, and nothing is written.
      scanToml(lines);
      return { text: fromLines({ ...doc, lines }), record, changes };
    },
  };
}

/** Takes Sluice's table out (putting back one it replaced), and `model_provider` while it is "sluice". */
export function revertCodex(text: string, record: CodexRecord, label: string): RevertResult {
  const doc = toLines(text);
  const stmts = scan(doc, label, 'fix it, then undo again');
  const ranges = sluiceRanges(stmts);
  const blank = (i: number): boolean => i < 0 || i >= doc.lines.length || doc.lines[i]!.trim() === '';
  const edits: Edit[] = ranges.map((r) => {
    // The blank line that set the table apart goes with it, unless that leaves two pieces touching.
    const start =
      record.priorTable === null && r.start > 0 && blank(r.start - 1) && blank(r.end + 1)
        ? r.start - 1
        : r.start;
    return { start, count: r.end - start + 1, insert: [] };
  });
  const changes: string[] = [];
  if (ranges.length > 0) changes.push(`removed [${PROVIDERS}.${SLUICE}]`);
  if (record.priorTable !== null) {
    const at = ranges.find((r) => r.table)?.start ?? doc.lines.length;
    edits.push({
      start: at,
      count: 0,
      insert: at === doc.lines.length ? ['', ...record.priorTable] : record.priorTable,
    });
    changes.push(`put back your earlier [${PROVIDERS}.${SLUICE}]`);
  }
  const provider = providerStatement(stmts);
  if (provider !== undefined) {
    const value = valueText(doc.lines[provider.start]!);
    if (value === `"${SLUICE}"` || value === `'${SLUICE}'`) {
      // Alone above the first table, it came with a blank line below: that goes too.
      const alone =
        record.priorProvider === null &&
        blank(provider.start - 1) &&
        blank(provider.end + 1) &&
        !edits.some((e) => e.start === provider.end + 1 && e.count > 0);
      const end = alone && provider.end + 1 < doc.lines.length ? provider.end + 1 : provider.end;
      edits.push({
        start: provider.start,
        count: end - provider.start + 1,
        insert: record.priorProvider ?? [],
      });
      changes.push(record.priorProvider === null ? 'removed model_provider' : `restored model_provider`);
    } else changes.push(`left model_provider = ${value}: you changed it`);
  }
  const lines = trimTrailingBlank(applyEdits(doc.lines, edits));
  return {
    text: fromLines({ ...doc, lines }),
    changes,
    empty: lines.every((l) => l.trim() === ''),
  };
}
