/**
 * What the Setup screen's Apply and Undo buttons see (the control calls `setup.preview`, `setup.apply`,
 * `setup.undo`): the same work as `sluice setup <tool> --apply/--undo`, shown before and after.
 */

/** One file an earlier apply wrote, as its backup manifest records it. */
export interface SetupAppliedFile {
  path: string;
  /** The copy of the original; null when Sluice created the file (undo deletes it). */
  backup: string | null;
  /** ISO time of the last apply that wrote it. */
  appliedAt: string;
  /** The file no longer holds what Sluice wrote: undo then takes out only Sluice's entries. */
  changedSince: boolean;
}

/** Whether a tool is set up by Sluice now (an apply is recorded and not undone). */
export interface SetupState {
  applied: boolean;
  files: SetupAppliedFile[];
}

/** One file an apply would write, before anything is written. */
export interface SetupFilePreview {
  path: string;
  exists: boolean;
  /** The edits, one short line each (`set env.ANTHROPIC_BASE_URL = …`); for undo, what it does first. */
  changes: string[];
  /** A unified diff of the file (`--- `/`+++ ` header, `@@` hunks); empty when nothing would change. */
  diff: string;
  willChange: boolean;
}

export interface SetupPreview {
  tool: SetupToolId;
  files: SetupFilePreview[];
  /**
   * A fingerprint of the files as previewed: `setup.apply` given it refuses, writing nothing, when a
   * file changed since, so what is written is what was shown.
   */
  basis: string;
  state: SetupState;
  /** What undo would do now, per file the last apply wrote (empty when nothing is applied). */
  undo: SetupFilePreview[];
}

/** What an apply or undo did: the same report lines `sluice setup` prints, and the state after. */
export interface SetupOutcome {
  tool: SetupToolId;
  /** Per file: its path, then indented lines of what changed and where the backup is. */
  report: string[];
  /** Files an undo could not reverse (they stay recorded for another try); empty after an apply. */
  failed: string[];
  state: SetupState;
}

export type SetupToolId = 'claude-code' | 'codex' | 'gemini-cli' | 'openai-compatible';
