import fs from 'node:fs';
import path from 'node:path';
import { revertCodex } from './codex-toml';
import { revertDotenv } from './dotenv-edit';
import type { EditRecord, EditResult, RevertResult } from './editor';
import { revertJson } from './json-edit';
import { loadManifest, removeManifest, saveManifest, type FileEntry, type Manifest } from './manifest';
import type { ToolId } from './plans';
import { revertBlock } from './shell-block';
import type { Target } from './targets';
import { SetupError, decodeText, readFileState, sha256, writeAtomic, type FileState } from './text-file';

/** One target as an apply would write it now: the file as found, and its new text. */
export interface Planned {
  target: Target;
  state: FileState;
  text: string | null;
  result: EditResult;
  entry: FileEntry | undefined;
}

/**
 * Reads every target and works out its new text, writing nothing: what an apply would write now (the
 * Setup screen's preview shows it). `manifest` is the last apply's, whose entries keep the originals.
 */
export function planTargets(targets: readonly Target[], manifest: Manifest | null): Planned[] {
  return targets.map((target) => {
    const state = readFileState(target.path);
    const text = state.bytes === null ? null : decodeText(state.bytes, target.path);
    const entry = manifest?.files.find((f) => f.path === target.path);
    return { target, state, text, entry, result: target.editor.edit(text, entry?.record ?? null) };
  });
}

/**
 * `--apply`: edits every target file, keeping the originals. Every file is planned before anything is
 * written, so a refusal of one (invalid JSON…) leaves all untouched; originals are copied and the
 * manifest saved before the first file changes. Returns the report, one line each.
 */
export function applySetup(tool: ToolId, targets: readonly Target[], dir: string, now: Date): string[] {
  const manifest: Manifest = loadManifest(dir) ?? { version: 1, tool, files: [] };
  const plans = planTargets(targets, manifest);
  const at = now.toISOString();
  const stamp = at.replace(/[:.]/g, '-');
  const before = new Map(manifest.files.map((f) => [f.path, structuredClone(f)]));
  const report: string[] = [];
  const writes: Planned[] = [];
  for (const p of plans) {
    const changed = p.text !== p.result.text;
    report.push(`${p.target.path}:`, ...p.result.changes.map((c) => `  ${c}`));
    if (!changed) {
      report.push('  nothing to change');
      continue;
    }
    writes.push(p);
    const written = sha256(p.result.text);
    if (p.entry !== undefined) {
      const current = p.state.bytes === null ? null : sha256(p.state.bytes);
      if (current !== p.entry.writtenSha256) p.entry.editedSince = true;
      Object.assign(p.entry, { writtenSha256: written, record: p.result.record, appliedAt: at });
      report.push(
        p.entry.backup === null
          ? '  (it did not exist before Sluice: --undo deletes it)'
          : `  the original stays backed up at ${p.entry.backup}`,
      );
      continue;
    }
    let backup: string | null = null;
    if (p.state.bytes !== null) {
      backup = path.join(dir, `${path.basename(p.target.path)}.${stamp}.orig`);
      writeAtomic(backup, p.state.bytes, 0o600);
    }
    manifest.files.push({
      path: p.target.path,
      realPath: p.state.realPath,
      existed: p.state.bytes !== null,
      mode: p.state.mode,
      backup,
      originalSha256: p.state.bytes === null ? null : sha256(p.state.bytes),
      writtenSha256: written,
      editedSince: false,
      firstAppliedAt: at,
      appliedAt: at,
      record: p.result.record,
    });
    report.push(
      backup === null ? '  (a new file: --undo deletes it)' : `  backup of the original: ${backup}`,
    );
  }
  if (writes.length === 0) return report;
  saveManifest(dir, manifest);
  for (const [i, p] of writes.entries()) {
    try {
      writeAtomic(p.state.realPath, p.result.text, p.state.mode ?? p.target.createMode);
    } catch (err) {
      // The files not written are as they were: so must their manifest entries be.
      const unwritten = new Set(writes.slice(i).map((w) => w.target.path));
      manifest.files = manifest.files.flatMap((f) => {
        if (!unwritten.has(f.path)) return [f];
        const old = before.get(f.path);
        if (old === undefined && f.backup !== null) fs.rmSync(f.backup, { force: true });
        return old === undefined ? [] : [old];
      });
      if (manifest.files.length === 0) removeManifest(dir);
      else saveManifest(dir, manifest);
      throw new SetupError(
        `cannot write ${p.target.path}: ${(err as NodeJS.ErrnoException).code ?? String(err)}`,
      );
    }
  }
  return report;
}

function revert(record: EditRecord, text: string, label: string): RevertResult {
  switch (record.kind) {
    case 'json':
      return revertJson(text, record, label);
    case 'codex':
      return revertCodex(text, record, label);
    case 'dotenv':
      return revertDotenv(text, record);
    case 'block':
      return revertBlock(text, label);
  }
}

/**
 * What undo will do to one file, decided before anything is written: `before` is its text now (null:
 * absent) and `after` what it will hold (null: deleted). Throws SetupError when it cannot be reversed.
 */
export interface UndoStep {
  entry: FileEntry;
  realPath: string;
  kind: 'restore' | 'delete' | 'revert' | 'gone';
  before: string | null;
  after: string | null;
  /** The original's bytes (`restore`), written as they are. */
  original: Buffer | null;
  /** For `revert`: what taking out Sluice's entries does, one line each. */
  changes: string[];
  /** The file's mode now (`revert` keeps it). */
  mode: number | null;
}

export function planUndoFile(f: FileEntry): UndoStep {
  const state = readFileState(f.path);
  const current = state.bytes === null ? null : sha256(state.bytes);
  const before = state.bytes === null ? null : decodeText(state.bytes, f.path);
  const step = { entry: f, realPath: state.realPath, before, original: null, changes: [], mode: state.mode };
  if (!f.editedSince && current === f.writtenSha256) {
    if (!f.existed) return { ...step, kind: 'delete', after: null };
    const original = fs.readFileSync(f.backup!);
    if (sha256(original) !== f.originalSha256)
      throw new SetupError(`${f.backup} is not the original any more; ${f.path} was left as it is`);
    return { ...step, kind: 'restore', after: original.toString('utf8'), original };
  }
  if (before === null) return { ...step, kind: 'gone', after: null };
  const result = revert(f.record, before, f.path);
  const after = result.empty && !f.existed ? null : result.text;
  return { ...step, kind: 'revert', after, changes: result.changes };
}

/** Carries out one planned undo; returns its report lines. */
function undoFile(step: UndoStep): string[] {
  const f = step.entry;
  switch (step.kind) {
    case 'delete':
      fs.rmSync(step.realPath);
      return [`${f.path}: removed (it did not exist before Sluice)`];
    case 'restore':
      writeAtomic(step.realPath, step.original!, f.mode ?? 0o644);
      fs.rmSync(f.backup!);
      return [`${f.path}: restored the original, byte for byte`];
    case 'gone':
    case 'revert': {
      const kept = f.backup === null ? [] : [`  the original stays at ${f.backup}`];
      if (step.kind === 'gone')
        return [`${f.path}: gone since Sluice wrote it; nothing to take out`, ...kept];
      if (step.after === null) fs.rmSync(step.realPath);
      else if (step.after !== step.before) writeAtomic(step.realPath, step.after, step.mode ?? 0o644);
      return [
        `${f.path}: changed since Sluice wrote it, so only Sluice's entries were taken out:`,
        ...step.changes.map((c) => `  ${c}`),
        ...(step.after === null ? ['  nothing else was left: removed the file Sluice had created'] : []),
        ...kept,
      ];
    }
  }
}

/**
 * `--undo`: reverses the last apply. A file still exactly as Sluice wrote it gets its original back
 * byte for byte (or is deleted when Sluice created it); a file changed since loses only Sluice's
 * entries. Returns null when there is nothing to undo; `failed` lists files it could not reverse
 * (they stay in the manifest for another try).
 */
export function undoSetup(dir: string): { report: string[]; failed: string[] } | null {
  const manifest = loadManifest(dir);
  if (manifest === null || manifest.files.length === 0) return null;
  const report: string[] = [];
  const failed: string[] = [];
  const left: FileEntry[] = [];
  for (const f of manifest.files) {
    try {
      report.push(...undoFile(planUndoFile(f)));
    } catch (err) {
      // One file that cannot be reversed (a missing backup, a file turned invalid) keeps its entry for
      // another try; the others are still reversed.
      failed.push(err instanceof SetupError ? err.message : `cannot undo ${f.path}: ${String(err)}`);
      left.push(f);
    }
  }
  if (left.length > 0) saveManifest(dir, { ...manifest, files: left });
  else {
    removeManifest(dir);
    if (fs.readdirSync(dir).length === 0) fs.rmdirSync(dir);
  }
  return { report, failed };
}
