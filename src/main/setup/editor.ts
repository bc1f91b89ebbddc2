import type { BlockRecord } from './shell-block';
import type { CodexRecord } from './codex-toml';
import type { DotenvRecord } from './dotenv-edit';
import type { JsonRecord } from './json-edit';

/**
 * What an editor remembers of one file between apply and undo (saved in the backup manifest): enough
 * to take out only Sluice's entries and put back what they replaced, when the user changed the file since.
 */
export type EditRecord = JsonRecord | CodexRecord | DotenvRecord | BlockRecord;

export interface EditResult {
  /** The whole new text of the file. */
  text: string;
  record: EditRecord;
  /** What changed, one short line each (`set env.ANTHROPIC_BASE_URL = …`). */
  changes: string[];
}

/** Sets Sluice's entries in one file's text, keeping everything else; throws SetupError to refuse. */
export interface Editor {
  /**
   * `text` is null when the file does not exist; `record` is what an earlier apply kept (its
   * priors stay the user's originals, so applying twice never loses them).
   */
  edit(text: string | null, record: EditRecord | null): EditResult;
}

/** Takes Sluice's entries out of a file the user changed since: what is left, and what was done. */
export interface RevertResult {
  text: string;
  changes: string[];
  /** Nothing but Sluice's entries was in it: a file Sluice created can go. */
  empty: boolean;
}
