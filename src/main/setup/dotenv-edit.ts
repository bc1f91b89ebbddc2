import type { EditRecord, Editor, RevertResult } from './editor';
import type { EnvPair } from './plans';
import { fromLines, toLines, trimTrailingBlank } from './text-file';

/** One variable Sluice set: the line it replaced (null: none), the line it wrote, and its note above it. */
export interface DotenvEntry {
  key: string;
  prior: string | null;
  written: string;
  note: string | null;
}

export interface DotenvRecord {
  kind: 'dotenv';
  entries: DotenvEntry[];
}

/** A variable written only when the file has none (a placeholder key), with a comment line above it. */
export interface DotenvDefault {
  key: string;
  value: string;
  note: string;
}

const escape = (s: string): string => s.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');

/** The last line defining `key` (`KEY=…` or `export KEY=…`): the one a dotenv loader keeps. */
function lastLine(lines: readonly string[], key: string): number {
  const re = new RegExp(`^\\s*(?:export\\s+)?${escape(key)}\\s*=`);
  return lines.findLastIndex((l) => re.test(l));
}

/** Removes line `i`, and the note Sluice put just above it. */
function removeWithNote(lines: string[], i: number, note: string | null): void {
  if (note !== null && i > 0 && lines[i - 1] === note) lines.splice(i - 1, 2);
  else lines.splice(i, 1);
}

/** Restores what an entry replaced when its line is still Sluice's; says what it did. */
function revertEntry(lines: string[], e: DotenvEntry): string | null {
  const i = lastLine(lines, e.key);
  if (i < 0) return null;
  if (lines[i] !== e.written) return `left ${e.key}: you changed it`;
  if (e.prior === null) {
    removeWithNote(lines, i, e.note);
    return `removed ${e.key}`;
  }
  lines[i] = e.prior;
  return `restored your ${e.key}`;
}

/**
 * An editor setting `KEY=value` lines of a dotenv file: an existing definition is replaced where it
 * stands, a new one is added at the end; every other line stays. `defaults` are added only when the
 * file defines no such variable at all.
 */
export function dotenvEditor(
  sets: readonly EnvPair[],
  defaults: readonly DotenvDefault[],
  secrets: readonly string[] = [],
): Editor {
  return {
    edit(text, earlier: EditRecord | null) {
      const doc = toLines(text);
      const lines = [...doc.lines];
      const entries = earlier?.kind === 'dotenv' ? earlier.entries.map((e) => ({ ...e })) : [];
      const changes: string[] = [];
      // What an earlier apply set and this one does not (the token, once no longer required) goes
      // back to what it replaced; a placeholder this apply would write again stays.
      const keep = (e: DotenvEntry): boolean =>
        sets.some(([k]) => k === e.key) ||
        defaults.some((d) => d.key === e.key && `${d.key}=${d.value}` === e.written);
      for (const e of entries.filter((e) => !keep(e))) {
        const done = revertEntry(lines, e);
        if (done !== null && !done.startsWith('left')) changes.push(done);
        entries.splice(entries.indexOf(e), 1);
      }
      const add: string[] = [];
      const put = (key: string, written: string, note: string | null, shown: string): void => {
        const entry = entries.find((e) => e.key === key);
        const i = lastLine(lines, key);
        if (i >= 0 && lines[i] === written) {
          changes.push(`${shown} (already)`);
          return;
        }
        if (i >= 0) {
          if (entry === undefined) entries.push({ key, prior: lines[i]!, written, note: null });
          else if (entry.note !== null && i > 0 && lines[i - 1] === entry.note) {
            // The note described the placeholder this line no longer is.
            lines.splice(i - 1, 1);
            lines[i - 1] = written;
            entry.written = written;
            entry.note = null;
            changes.push(`set ${shown}`);
            return;
          } else entry.written = written;
          lines[i] = written;
          changes.push(`set ${shown} (replacing your line)`);
          return;
        }
        if (entry === undefined) entries.push({ key, prior: null, written, note });
        else Object.assign(entry, { written, note });
        add.push(...(note === null ? [] : [note]), written);
        changes.push(`added ${shown}`);
      };
      for (const [key, value] of sets)
        put(key, `${key}=${value}`, null, `${key}=${secrets.includes(key) ? '<the API token>' : value}`);
      for (const d of defaults) {
        const i = lastLine(lines, d.key);
        const ours = entries.find((e) => e.key === d.key);
        if (i < 0 || (ours !== undefined && lines[i] === ours.written))
          put(d.key, `${d.key}=${d.value}`, d.note, `${d.key}=${d.value}`);
        else changes.push(`kept your ${d.key}`);
      }
      const body = add.length === 0 ? lines : [...trimTrailingBlank(lines), ...add];
      return { text: fromLines({ ...doc, lines: body }), record: { kind: 'dotenv', entries }, changes };
    },
  };
}

/** Takes out the lines Sluice wrote that are still as it wrote them, putting back what they replaced. */
export function revertDotenv(text: string, record: DotenvRecord): RevertResult {
  const doc = toLines(text);
  const lines = [...doc.lines];
  const changes = record.entries.flatMap((e) => revertEntry(lines, e) ?? []);
  const left = trimTrailingBlank(lines);
  return { text: fromLines({ ...doc, lines: left }), changes, empty: left.length === 0 };
}
