import path from 'node:path';
import type { EditRecord, Editor, RevertResult } from './editor';
import type { EnvPair } from './plans';
import { SetupError, fromLines, toLines, trimTrailingBlank } from './text-file';

/** A shell profile's Sluice block needs no memory: its markers say what is Sluice's. */
export interface BlockRecord {
  kind: 'block';
}

export const BLOCK_BEGIN = '# >>> sluice >>>';
export const BLOCK_END = '# <<< sluice <<<';

export type ShellKind = 'posix' | 'fish';

/**
 * The profile a shell of `$SHELL` reads: zsh → ~/.zshrc, bash → ~/.bashrc, fish → a file in its conf.d,
 * anything else → ~/.profile.
 */
export function shellProfile(home: string, shell: string | undefined): { file: string; kind: ShellKind } {
  const name = path.basename(shell ?? '');
  if (name === 'zsh') return { file: path.join(home, '.zshrc'), kind: 'posix' };
  if (name === 'bash') return { file: path.join(home, '.bashrc'), kind: 'posix' };
  if (name === 'fish')
    return { file: path.join(home, '.config', 'fish', 'conf.d', 'sluice.fish'), kind: 'fish' };
  return { file: path.join(home, '.profile'), kind: 'posix' };
}

/** The block's lines: the markers around one export per variable, in the shell's own syntax. */
export function blockLines(pairs: readonly EnvPair[], kind: ShellKind, note: string): string[] {
  return [
    BLOCK_BEGIN,
    note,
    ...pairs.map(([k, v]) => (kind === 'fish' ? `set -gx ${k} ${v}` : `export ${k}=${v}`)),
    BLOCK_END,
  ];
}

/** The block's first and last line, or null; a begin marker without its end is refused. */
function findBlock(
  lines: readonly string[],
  label: string,
  after: string,
): { start: number; end: number } | null {
  const start = lines.findIndex((l) => l.trim() === BLOCK_BEGIN);
  if (start < 0) return null;
  const rel = lines.slice(start + 1).findIndex((l) => l.trim() === BLOCK_END);
  if (rel < 0)
    throw new SetupError(`${label} has a \`${BLOCK_BEGIN}\` line without \`${BLOCK_END}\`; ${after}`);
  return { start, end: start + 1 + rel };
}

/** Puts the block at the end of the profile, or replaces an earlier one where it stands. */
export function blockEditor(label: string, block: readonly string[]): Editor {
  return {
    edit(text, _earlier: EditRecord | null) {
      const doc = toLines(text);
      const found = findBlock(doc.lines, label, 'fix it, then run this again (nothing was written)');
      let lines: string[];
      let change: string;
      if (found === null) {
        const kept = trimTrailingBlank(doc.lines);
        lines = [...kept, ...(kept.length === 0 ? [] : ['']), ...block];
        change = 'added the Sluice block';
      } else {
        const old = doc.lines.slice(found.start, found.end + 1);
        lines = [...doc.lines.slice(0, found.start), ...block, ...doc.lines.slice(found.end + 1)];
        change =
          old.join('\n') === block.join('\n') ? 'the Sluice block (already)' : 'replaced the Sluice block';
      }
      return { text: fromLines({ ...doc, lines }), record: { kind: 'block' }, changes: [change] };
    },
  };
}

/** Removes the block (whatever it now holds: the markers say it is Sluice's). */
export function revertBlock(text: string, label: string): RevertResult {
  const doc = toLines(text);
  const found = findBlock(doc.lines, label, 'fix it, then undo again');
  if (found === null)
    return { text, changes: ['no Sluice block left to remove'], empty: doc.lines.length === 0 };
  const before = doc.lines.slice(0, found.start);
  const afterBlock = doc.lines.slice(found.end + 1);
  // The blank line added above the block goes with it when the block was last.
  const lines = afterBlock.length === 0 ? trimTrailingBlank(before) : [...before, ...afterBlock];
  return {
    text: fromLines({ ...doc, lines }),
    changes: ['removed the Sluice block'],
    empty: lines.every((l) => l.trim() === ''),
  };
}
