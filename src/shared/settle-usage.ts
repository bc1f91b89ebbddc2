import { estimateTokens } from './token-estimate';
import { EMPTY_USAGE, type NormalizedUsage, type RequestOutcome, type UsageProvenance } from './usage';

/** What a finished request knows about its usage: the provider's numbers (if any) and the output it saw. */
export interface UsageEvidence {
  outcome: RequestOutcome;
  /** Normalised numbers from the provider, or EMPTY_USAGE. */
  usage: NormalizedUsage;
  /** The provider sent a usage object at all (even one with some fields missing). */
  reported: boolean;
  /** Output text, reasoning text and tool-call arguments seen in the response. */
  text: string;
  thinking: string;
  toolArguments: readonly string[];
  /** Part of the response was too large to read whole (read from its two ends only): numbers seen are labelled partial. */
  partial?: boolean;
}

export interface SettledUsage {
  usage: NormalizedUsage;
  provenance: UsageProvenance;
}

function seenOutput(e: UsageEvidence): { output: number; thinking: number } {
  const thinking = estimateTokens(e.thinking);
  let output = estimateTokens(e.text) + thinking;
  for (const args of e.toolArguments) output += estimateTokens(args);
  return { output, thinking };
}

/**
 * The usage to record for one request, and where it came from:
 * - `reported`: the stream completed and the provider's numbers are whole;
 * - `partial`: provider numbers that cannot be whole (the stream ended early, or the output count was
 *   missing), or that were read beside an event too large to read whole — output is raised to at least
 *   the estimate of what was seen (not for the latter), because providers report
 *   output at the end (Anthropic's opening `output_tokens: 1` would otherwise stand for a long answer);
 * - `estimated`: no provider numbers; output estimated from the text seen, input left unknown;
 * - `none`: nothing was reported and nothing was seen.
 */
export function settleUsage(e: UsageEvidence): SettledUsage {
  const settled = settleSeen(e);
  return e.partial === true && settled.provenance === 'reported'
    ? { ...settled, provenance: 'partial' }
    : settled;
}

function settleSeen(e: UsageEvidence): SettledUsage {
  // The common case needs no estimate: counting the tokens of a long answer is not free.
  if (e.reported && e.outcome === 'completed' && e.usage.outputTokens !== null)
    return { usage: { ...e.usage }, provenance: 'reported' };
  const seen = seenOutput(e);
  if (!e.reported) {
    if (seen.output === 0) return { usage: { ...EMPTY_USAGE }, provenance: 'none' };
    return {
      usage: {
        ...EMPTY_USAGE,
        outputTokens: seen.output,
        reasoningTokens: seen.thinking > 0 ? seen.thinking : null,
      },
      provenance: 'estimated',
    };
  }
  const whole = e.outcome === 'completed' && (e.usage.outputTokens !== null || seen.output === 0);
  if (whole) return { usage: { ...e.usage }, provenance: 'reported' };
  const output = Math.max(e.usage.outputTokens ?? 0, seen.output);
  const reasoning =
    e.usage.reasoningTokens === null && seen.thinking === 0
      ? null
      : Math.max(e.usage.reasoningTokens ?? 0, seen.thinking);
  return {
    usage: {
      ...e.usage,
      outputTokens: output === 0 ? e.usage.outputTokens : output,
      reasoningTokens: reasoning,
    },
    provenance: 'partial',
  };
}
