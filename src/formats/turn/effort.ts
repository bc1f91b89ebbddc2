/**
 * Reasoning effort (OpenAI, Anthropic `output_config.effort`) ↔ thinking budget in tokens (Anthropic,
 * Gemini). The budgets sit inside every current thinking model's accepted range (Gemini 2.5 Pro's
 * minimum is 128, Flash's maximum 24576).
 */

export type Effort = 'minimal' | 'low' | 'medium' | 'high';

/** The token budget that stands for an effort. */
export const BUDGET_FOR_EFFORT: Readonly<Record<Effort, number>> = {
  minimal: 1024,
  low: 4096,
  medium: 8192,
  high: 24576,
};

/** An effort named by a client (`xhigh`/`max` read as high; `none`, absent or unknown: null). */
export function parseEffort(value: unknown): Effort | null {
  switch (value) {
    case 'minimal':
    case 'low':
    case 'medium':
    case 'high':
      return value;
    case 'xhigh':
    case 'max':
      return 'high';
  }
  return null;
}

/** The effort nearest a token budget (null or dynamic (−1): medium). */
export function effortForBudget(budget: number | null): Effort {
  if (budget === null || budget < 0) return 'medium';
  if (budget <= 1024) return 'minimal';
  if (budget <= 4096) return 'low';
  if (budget <= 16384) return 'medium';
  return 'high';
}
