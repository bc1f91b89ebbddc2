import type { SetupFilePreview, SetupState } from '../../shared/setup-view';
import { planTargets, planUndoFile, type UndoStep } from './apply';
import { unifiedDiff } from './line-diff';
import { loadManifest } from './manifest';
import type { Target } from './targets';
import { SetupError, readFileState, sha256 } from './text-file';

/**
 * What `--apply` would write now, file by file, writing nothing; and its basis: a fingerprint of every
 * target's bytes as found, the text it would get, and the manifest. It changes when anything the apply
 * reads, or would write, does (a file edited meanwhile, another port, another token).
 */
export function previewSetup(
  targets: readonly Target[],
  dir: string,
): { files: SetupFilePreview[]; basis: string } {
  const manifest = loadManifest(dir);
  const plans = planTargets(targets, manifest);
  const files = plans.map((p) => ({
    path: p.target.path,
    exists: p.state.bytes !== null,
    changes: p.result.changes,
    diff: unifiedDiff(p.target.path, p.text, p.result.text),
    willChange: p.text !== p.result.text,
  }));
  const parts = plans.map(
    (p) =>
      `${p.target.path}\0${p.state.bytes === null ? 'absent' : sha256(p.state.bytes)}\0${sha256(p.result.text)}`,
  );
  parts.push(manifest === null ? 'no manifest' : JSON.stringify(manifest));
  return { files, basis: sha256(parts.join('\n')) };
}

/** Whether an apply is recorded in `dir` (not undone), with each file it wrote and whether it changed since. */
export function setupState(dir: string): SetupState {
  const manifest = loadManifest(dir);
  if (manifest === null || manifest.files.length === 0) return { applied: false, files: [] };
  return {
    applied: true,
    files: manifest.files.map((f) => {
      const bytes = readFileState(f.path).bytes;
      return {
        path: f.path,
        backup: f.backup,
        appliedAt: f.appliedAt,
        changedSince: f.editedSince || bytes === null || sha256(bytes) !== f.writtenSha256,
      };
    }),
  };
}

const UNDO_SAYS: Record<UndoStep['kind'], string> = {
  restore: 'the original comes back, byte for byte',
  delete: 'deleted: it did not exist before Sluice',
  revert: "changed since Sluice wrote it: only Sluice's entries are taken out",
  gone: 'gone since Sluice wrote it: nothing to do',
};

/**
 * What `--undo` would do now, file by file, writing nothing (the same plan the undo then carries out):
 * the diff from the file as it is to what it will be. A file it cannot reverse says why.
 */
export function previewUndo(dir: string): SetupFilePreview[] {
  const manifest = loadManifest(dir);
  return (manifest?.files ?? []).map((f) => {
    try {
      const step = planUndoFile(f);
      const backup = step.kind === 'restore' ? [`from ${f.backup!}`] : [];
      return {
        path: f.path,
        exists: step.before !== null,
        changes: [UNDO_SAYS[step.kind], ...backup, ...step.changes],
        diff: unifiedDiff(f.path, step.before, step.after),
        willChange: step.before !== step.after,
      };
    } catch (err) {
      if (!(err instanceof SetupError)) throw err;
      return { path: f.path, exists: true, changes: [err.message], diff: '', willChange: false };
    }
  });
}
