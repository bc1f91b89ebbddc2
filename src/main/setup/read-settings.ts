import fs from 'node:fs';
import path from 'node:path';
import { ClaudeCodeSlotsSchema, type ClaudeCodeSlots } from '../../shared/claude-code-slots';
import { loadConfigFile } from '../config/config-file';
import { createConfigRepo } from '../store/write/config-repo';
import { openDatabaseReadOnly } from '../store/schema/db';

/** `requireLocalToken` as the app in `dataDir` would have it; why it was assumed off if unreadable. */
export interface TokenSetting {
  requireToken: boolean;
  /** The port saved in Settings (the app listens there when started without one), if any. */
  savedPort: number | null;
  /** The saved `claudeCodeSlots` (empty when none, or when they cannot be read). */
  claudeSlots: ClaudeCodeSlots;
  warning: string | null;
}

const message = (err: unknown): string => (err instanceof Error ? err.message : String(err));

/**
 * Reads `requireLocalToken` without starting the app or writing anything: the saved settings in
 * `<dataDir>/sluice.db` (opened read-only), overlaid, as the app does at start, by
 * `<dataDir>/config.json` when nothing is saved yet. Unreadable → off, with a warning.
 */
export function readRequireLocalToken(dataDir: string): TokenSetting {
  const dbFile = path.join(dataDir, 'sluice.db');
  let saved: Record<string, unknown> = {};
  let savedProviders = 0;
  if (fs.existsSync(dbFile)) {
    try {
      const db = openDatabaseReadOnly(dbFile);
      try {
        const repo = createConfigRepo(db);
        saved = repo.loadSettings();
        savedProviders = repo.loadProviders().length;
      } finally {
        db.close();
      }
    } catch (err) {
      return {
        requireToken: false,
        savedPort: null,
        claudeSlots: {},
        warning: `cannot read the settings in ${dbFile} (${message(err)}); assuming requireLocalToken is off`,
      };
    }
  }
  const configFile = path.join(dataDir, 'config.json');
  let seeded: Record<string, unknown> = {};
  if (savedProviders === 0 && fs.existsSync(configFile)) {
    try {
      seeded = loadConfigFile(configFile).settings;
    } catch (err) {
      return {
        requireToken: saved.requireLocalToken === true,
        savedPort: portOf(saved.port),
        claudeSlots: slotsOf(saved.claudeCodeSlots),
        warning: `${message(err).split('\n')[0]!}; its settings were not read`,
      };
    }
  }
  const merged = { ...saved, ...seeded };
  return {
    requireToken: merged.requireLocalToken === true,
    savedPort: portOf(merged.port),
    claudeSlots: slotsOf(merged.claudeCodeSlots),
    warning: null,
  };
}

function slotsOf(value: unknown): ClaudeCodeSlots {
  const parsed = ClaudeCodeSlotsSchema.safeParse(value ?? {});
  return parsed.success ? parsed.data : {};
}

function portOf(value: unknown): number | null {
  return typeof value === 'number' && Number.isInteger(value) && value >= 1 && value <= 65535 ? value : null;
}
