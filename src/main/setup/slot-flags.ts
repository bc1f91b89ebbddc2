import path from 'node:path';
import {
  CLAUDE_CODE_SLOTS,
  ClaudeCodeSlotsSchema,
  type ClaudeCodeSlot,
  type ClaudeCodeSlots,
} from '../../shared/claude-code-slots';
import { describeConfigIssues } from '../../shared/config';
import { closeDatabase, openDatabase } from '../store/schema/db';

/** The settings key the slots are saved under (RuntimeConfig reads it at start). */
const SETTINGS_KEY = 'claudeCodeSlots';

/** `--haiku M`, `--haiku-context-tokens N`, … for every slot, as parseArgs options. */
export const SLOT_OPTIONS = Object.fromEntries(
  CLAUDE_CODE_SLOTS.flatMap((s) => [
    [s, { type: 'string' as const }],
    [`${s}-context-tokens`, { type: 'string' as const }],
  ]),
) as Record<ClaudeCodeSlot | `${ClaudeCodeSlot}-context-tokens`, { type: 'string' }>;

export const SLOT_USAGE = `               [--opus|--sonnet|--haiku|--subagent MODEL ('' clears it)]
               [--<slot>-context-tokens N]  (claude-code: saved in Sluice's settings)`;

/** True when any slot flag was given. */
export function hasSlotFlags(values: Readonly<Record<string, unknown>>): boolean {
  return Object.keys(SLOT_OPTIONS).some((k) => values[k] !== undefined);
}

/**
 * The slots after the flags: a model flag sets the slot's model ('' removes the slot), a context flag
 * its window ('' removes the window). Throws Error naming the flag when the result is not valid.
 */
export function applySlotFlags(
  current: ClaudeCodeSlots,
  values: Readonly<Record<string, string | boolean | undefined>>,
): ClaudeCodeSlots {
  const next: Record<string, Record<string, unknown>> = {};
  for (const s of CLAUDE_CODE_SLOTS) {
    const model = values[s];
    const window = values[`${s}-context-tokens`];
    const slot: Record<string, unknown> | undefined =
      model === '' ? undefined : current[s] === undefined ? undefined : { ...current[s] };
    const named = typeof model === 'string' && model !== '' ? { ...slot, model } : slot;
    if (typeof window === 'string' && named === undefined && window !== '')
      throw new Error(`--${s}-context-tokens needs a model for the ${s} slot: give --${s} MODEL too`);
    if (named === undefined) continue;
    if (window === '') delete named.contextWindowTokens;
    else if (typeof window === 'string') named.contextWindowTokens = Number(window);
    next[s] = named;
  }
  const parsed = ClaudeCodeSlotsSchema.safeParse(next);
  if (!parsed.success) {
    // `haiku.contextWindowTokens: …` → `--haiku-context-tokens: …`.
    const issues = describeConfigIssues(parsed.error.issues).map((m) =>
      m.replace(/^(\w+)\.contextWindowTokens/, '--$1-context-tokens').replace(/^(\w+)\.model/, '--$1'),
    );
    throw new Error(issues.join('; '));
  }
  return parsed.data;
}

/**
 * Saves the slots as the `claudeCodeSlots` setting in `<dataDir>/sluice.db`, that one row only (every
 * other setting stays as it is); none set → the row goes, as RuntimeConfig keeps only non-defaults.
 */
export function saveSlots(dataDir: string, slots: ClaudeCodeSlots): string {
  const file = path.join(dataDir, 'sluice.db');
  const db = openDatabase(file);
  try {
    if (Object.keys(slots).length === 0) db.prepare('DELETE FROM settings WHERE key = ?').run(SETTINGS_KEY);
    else
      db.prepare(
        'INSERT INTO settings (key, value, updated_at) VALUES (?, ?, ?) ' +
          'ON CONFLICT(key) DO UPDATE SET value = excluded.value, updated_at = excluded.updated_at',
      ).run(SETTINGS_KEY, JSON.stringify(slots), Date.now());
  } finally {
    closeDatabase(db);
  }
  return file;
}
