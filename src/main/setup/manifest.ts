import fs from 'node:fs';
import path from 'node:path';
import { z } from 'zod';
import type { EditRecord } from './editor';
import type { ToolId } from './plans';
import { SetupError, writeAtomic } from './text-file';

/** What `--apply` did to one file, so `--undo` can reverse it. */
export interface FileEntry {
  /** The file as named (`~/.zshrc`), and where writes went (its symlink target). */
  path: string;
  realPath: string;
  /** The file existed before Sluice first wrote it; its mode then. */
  existed: boolean;
  mode: number | null;
  /** The copy of the original in the backup folder; null when there was no file. */
  backup: string | null;
  originalSha256: string | null;
  /** SHA-256 of what Sluice last wrote: while the file matches it, undo restores the backup byte-exactly. */
  writtenSha256: string;
  /** The file changed after Sluice wrote it, then Sluice wrote it again: undo edits instead of restoring. */
  editedSince: boolean;
  firstAppliedAt: string;
  appliedAt: string;
  record: EditRecord;
}

export interface Manifest {
  version: 1;
  tool: ToolId;
  files: FileEntry[];
}

const str = z.string();
const RecordSchema = z.discriminatedUnion('kind', [
  z.object({
    kind: z.literal('json'),
    keys: z.array(
      z.object({
        path: z.array(str),
        prior: z.object({ value: z.unknown() }).nullable(),
        written: z.unknown(),
      }),
    ),
    created: z.array(z.array(str)),
  }),
  z.object({
    kind: z.literal('codex'),
    priorProvider: z.array(str).nullable(),
    priorTable: z.array(str).nullable(),
  }),
  z.object({
    kind: z.literal('dotenv'),
    entries: z.array(z.object({ key: str, prior: str.nullable(), written: str, note: str.nullable() })),
  }),
  z.object({ kind: z.literal('block') }),
]);
const ManifestSchema = z.object({
  version: z.literal(1),
  tool: z.enum(['claude-code', 'codex', 'gemini-cli', 'openai-compatible']),
  files: z.array(
    z.object({
      path: str,
      realPath: str,
      existed: z.boolean(),
      mode: z.number().int().nullable(),
      backup: str.nullable(),
      originalSha256: str.nullable(),
      writtenSha256: str,
      editedSince: z.boolean(),
      firstAppliedAt: str,
      appliedAt: str,
      record: RecordSchema,
    }),
  ),
});

/** `<dataDir>/setup-backups/<tool>/`: the originals and the manifest. */
export function backupDir(dataDir: string, tool: ToolId): string {
  return path.join(dataDir, 'setup-backups', tool);
}

const manifestFile = (dir: string): string => path.join(dir, 'manifest.json');

/** The manifest of the last apply, or null when there is nothing to undo. */
export function loadManifest(dir: string): Manifest | null {
  const file = manifestFile(dir);
  let text: string;
  try {
    text = fs.readFileSync(file, 'utf8');
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === 'ENOENT') return null;
    throw err;
  }
  let raw: unknown;
  try {
    raw = JSON.parse(text);
  } catch {
    raw = null;
  }
  const parsed = ManifestSchema.safeParse(raw);
  if (!parsed.success)
    throw new SetupError(`${file} is damaged; the originals are beside it in ${dir} (restore them by hand)`);
  return parsed.data;
}

export function saveManifest(dir: string, manifest: Manifest): void {
  writeAtomic(manifestFile(dir), `${JSON.stringify(manifest, null, 2)}\n`, 0o600);
}

export function removeManifest(dir: string): void {
  fs.rmSync(manifestFile(dir), { force: true });
}
