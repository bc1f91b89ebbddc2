import { z } from 'zod';

/** The model slots Claude Code reads from its environment, each with the variable that sets it. */
export const CLAUDE_CODE_SLOTS = ['opus', 'sonnet', 'haiku', 'subagent'] as const;
export type ClaudeCodeSlot = (typeof CLAUDE_CODE_SLOTS)[number];

export const SLOT_VARIABLES: Readonly<Record<ClaudeCodeSlot, string>> = {
  opus: 'ANTHROPIC_DEFAULT_OPUS_MODEL',
  sonnet: 'ANTHROPIC_DEFAULT_SONNET_MODEL',
  haiku: 'ANTHROPIC_DEFAULT_HAIKU_MODEL',
  subagent: 'CLAUDE_CODE_SUBAGENT_MODEL',
};

/** Claude Code's own assumption for a model it does not know: 200 000 tokens. */
export const CLAUDE_DEFAULT_WINDOW_TOKENS = 200_000;
/** A window of at least this many tokens is told to Claude Code by the `[1m]` suffix. */
export const CLAUDE_1M_WINDOW_TOKENS = 1_000_000;

export const ClaudeCodeSlotSchema = z
  .object({
    /**
     * The model name Claude Code sends for this slot, e.g. `deepseek-chat`; a route whose `models`
     * match it decides which providers serve it. No spaces (it goes into an environment variable).
     */
    model: z
      .string()
      .min(1, 'a model name')
      .max(200)
      .regex(/^[^\s[\]]+$/, 'a model name without spaces or brackets'),
    /**
     * The model's context window in tokens, when it is not Claude's 200 000: 1 000 000 or more makes
     * the slot `<model>[1m]`; less lowers Claude Code's auto-compact window (see claude-slot-env.ts).
     */
    contextWindowTokens: z.number().int().min(1_000).max(100_000_000).optional(),
  })
  .strict();

export type ClaudeCodeSlotConfig = z.infer<typeof ClaudeCodeSlotSchema>;

/** Which model each Claude Code slot asks for; an absent slot keeps Claude Code's own default. */
export const ClaudeCodeSlotsSchema = z
  .object({
    /** `ANTHROPIC_DEFAULT_OPUS_MODEL`: `opus`, `opusplan` in plan mode. */
    opus: ClaudeCodeSlotSchema.optional(),
    /** `ANTHROPIC_DEFAULT_SONNET_MODEL`: `sonnet`, the usual default. */
    sonnet: ClaudeCodeSlotSchema.optional(),
    /** `ANTHROPIC_DEFAULT_HAIKU_MODEL`: `haiku` and background work (titles, summaries). */
    haiku: ClaudeCodeSlotSchema.optional(),
    /** `CLAUDE_CODE_SUBAGENT_MODEL`: the model subagents run on. */
    subagent: ClaudeCodeSlotSchema.optional(),
  })
  .strict();

export type ClaudeCodeSlots = z.infer<typeof ClaudeCodeSlotsSchema>;
