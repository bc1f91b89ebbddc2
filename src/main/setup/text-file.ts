import crypto from 'node:crypto';
import fs from 'node:fs';
import path from 'node:path';

export { writeAtomic } from '../config/atomic-file';

/** A refusal or failure `sluice setup` reports in one line (exit 1); nothing was written. */
export class SetupError extends Error {}

/** A file as found: its real path (symlinks followed), bytes and mode; null bytes when absent. */
export interface FileState {
  /** Where writes go: the symlink's target when `file` is a link, so a dotfiles link survives. */
  realPath: string;
  bytes: Buffer | null;
  /** Permission bits (0o777 mask); null when absent. */
  mode: number | null;
}

export function readFileState(file: string): FileState {
  let realPath = file;
  try {
    realPath = fs.realpathSync(file);
  } catch (err) {
    if (!absent(err)) throw err;
    // A dangling link: write where it points, so the link starts working rather than being replaced.
    try {
      realPath = path.resolve(path.dirname(file), fs.readlinkSync(file));
    } catch {
      realPath = file;
    }
  }
  try {
    const bytes = fs.readFileSync(realPath);
    return { realPath, bytes, mode: fs.statSync(realPath).mode & 0o777 };
  } catch (err) {
    if (absent(err)) return { realPath, bytes: null, mode: null };
    throw err;
  }
}

/** No such file: not there, or a parent is not a folder (writing it will say why). */
function absent(err: unknown): boolean {
  const code = (err as NodeJS.ErrnoException).code;
  return code === 'ENOENT' || code === 'ENOTDIR';
}

/** The file's text; refuses bytes that are not UTF-8, which a decode and re-encode would damage. */
export function decodeText(bytes: Buffer, label: string): string {
  const text = bytes.toString('utf8');
  if (!Buffer.from(text, 'utf8').equals(bytes))
    throw new SetupError(`${label} is not UTF-8 text; Sluice will not edit it (nothing was written)`);
  return text;
}

/** Hex SHA-256 of the bytes (or of the text as UTF-8). */
export function sha256(data: Buffer | string): string {
  return crypto.createHash('sha256').update(data).digest('hex');
}

/** Text as lines, with what joining them back needs: the line ending and a leading BOM. */
export interface LineDoc {
  lines: string[];
  eol: '\n' | '\r\n';
  bom: boolean;
}

export function toLines(text: string | null): LineDoc {
  if (text === null || text === '') return { lines: [], eol: '\n', bom: false };
  const bom = text.startsWith('\uFEFF');
  const body = bom ? text.slice(1) : text;
  const eol = body.includes('\r\n') ? '\r\n' : '\n';
  const lines = body.split(/\r?\n/);
  if (lines.at(-1) === '') lines.pop();
  return { lines, eol, bom };
}

/** Joins lines back, each ended by the document's line ending; no lines → the empty text. */
export function fromLines(doc: LineDoc): string {
  if (doc.lines.length === 0) return '';
  return `${doc.bom ? '\uFEFF' : ''}${doc.lines.join(doc.eol)}${doc.eol}`;
}

/** Drops blank lines at the end (left behind when a block at the end is removed). */
export function trimTrailingBlank(lines: readonly string[]): string[] {
  let end = lines.length;
  while (end > 0 && lines[end - 1]!.trim() === '') end--;
  return lines.slice(0, end);
}
