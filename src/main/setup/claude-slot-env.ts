import {
  CLAUDE_1M_WINDOW_TOKENS,
  CLAUDE_CODE_SLOTS,
  CLAUDE_DEFAULT_WINDOW_TOKENS,
  SLOT_VARIABLES,
  type ClaudeCodeSlotConfig,
  type ClaudeCodeSlots,
} from '../../shared/claude-code-slots';

/** The variable that lowers the window Claude Code compacts against; global, not per slot. */
export const AUTO_COMPACT_VARIABLE = 'CLAUDE_CODE_AUTO_COMPACT_WINDOW';

/**
 * What Claude Code is told for one slot. How Claude Code learns a model's context window
 * (https://code.claude.com/docs/en/model-config, https://code.claude.com/docs/en/env-vars):
 * - it assumes 200 000 tokens for a model it does not know;
 * - a `[1m]` suffix on a model name (`sonnet[1m]`, `claude-sonnet-4-6[1m]`) selects a 1 000 000-token
 *   window; Claude Code takes the suffix off before it sends the model name, and it is accepted in the
 *   slot variables (`CLAUDE_CODE_SUBAGENT_MODEL=opus[1m]` included);
 * - `CLAUDE_CODE_AUTO_COMPACT_WINDOW` sets the window auto-compaction counts against, "capped at the
 *   model's actual context window". It is one value for every model, so a smaller slot lowers it for all.
 * There is no per-slot knob for a window below 200 000, nor for one between 200 000 and 1 000 000.
 */
export function slotModelValue(slot: ClaudeCodeSlotConfig): string {
  const w = slot.contextWindowTokens;
  return w !== undefined && w >= CLAUDE_1M_WINDOW_TOKENS ? `${slot.model}[1m]` : slot.model;
}

/**
 * The variables for the slots that are set, in slot order; then the auto-compact window when a slot's
 * model holds less than Claude Code assumes (the smallest such window: it must fit every slot, since
 * the variable applies to all of them; larger models merely compact earlier).
 */
export function slotEnv(slots: ClaudeCodeSlots | undefined): [string, string][] {
  if (slots === undefined) return [];
  const pairs: [string, string][] = [];
  let smallest: number | null = null;
  for (const name of CLAUDE_CODE_SLOTS) {
    const slot = slots[name];
    if (slot === undefined) continue;
    pairs.push([SLOT_VARIABLES[name], slotModelValue(slot)]);
    const w = slot.contextWindowTokens;
    if (w !== undefined && w < CLAUDE_DEFAULT_WINDOW_TOKENS && (smallest === null || w < smallest))
      smallest = w;
  }
  if (smallest !== null) pairs.push([AUTO_COMPACT_VARIABLE, String(smallest)]);
  return pairs;
}

/** The model names the slots send (without `[1m]`): what routes must match for them. */
export function slotModels(slots: ClaudeCodeSlots | undefined): string[] {
  if (slots === undefined) return [];
  return [...new Set(CLAUDE_CODE_SLOTS.flatMap((n) => (slots[n] === undefined ? [] : [slots[n].model])))];
}
