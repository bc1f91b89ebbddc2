import { describe, expect, it } from 'vitest';
import { settleUsage, type UsageEvidence } from '../../../src/shared/settle-usage';
import { EMPTY_USAGE } from '../../../src/shared/usage';

const TEXT = 'x'.repeat(400); // ≈ 100 tokens

function evidence(overrides: Partial<UsageEvidence>): UsageEvidence {
  return {
    outcome: 'completed',
    usage: { ...EMPTY_USAGE },
    reported: false,
    text: '',
    thinking: '',
    toolArguments: [],
    ...overrides,
  };
}

describe('settleUsage', () => {
  it('keeps a completed stream’s reported numbers as they are', () => {
    const usage = { ...EMPTY_USAGE, inputTokens: 10, outputTokens: 3 };
    expect(settleUsage(evidence({ reported: true, usage, text: TEXT }))).toEqual({
      usage,
      provenance: 'reported',
    });
  });

  it('raises a cut stream’s early output count to what was seen (Anthropic reports 1 at message_start)', () => {
    const usage = { ...EMPTY_USAGE, inputTokens: 21, outputTokens: 1 };
    const s = settleUsage(evidence({ outcome: 'failed', reported: true, usage, text: TEXT }));
    expect(s.provenance).toBe('partial');
    expect(s.usage).toMatchObject({ inputTokens: 21, outputTokens: 100 });
  });

  it('keeps a partial count that is already above the estimate', () => {
    const usage = { ...EMPTY_USAGE, inputTokens: 21, outputTokens: 500 };
    const s = settleUsage(evidence({ outcome: 'aborted', reported: true, usage, text: TEXT }));
    expect(s).toEqual({ usage, provenance: 'partial' });
  });

  it('fills a completed stream’s missing output count as partial', () => {
    const usage = { ...EMPTY_USAGE, inputTokens: 5 };
    const s = settleUsage(evidence({ reported: true, usage, text: TEXT }));
    expect(s).toEqual({ usage: { ...usage, outputTokens: 100 }, provenance: 'partial' });
  });

  it('estimates output from text, reasoning and tool arguments when nothing was reported', () => {
    const s = settleUsage(
      evidence({ text: TEXT, thinking: 'y'.repeat(40), toolArguments: ['{"a":1}', '{"b":22}'] }),
    );
    expect(s.provenance).toBe('estimated');
    expect(s.usage).toEqual({ ...EMPTY_USAGE, outputTokens: 100 + 10 + 2 + 2, reasoningTokens: 10 });
  });

  it('labels whole-looking numbers partial when part of the response was read by its ends only', () => {
    const usage = { ...EMPTY_USAGE, inputTokens: 5, outputTokens: 1290 };
    expect(settleUsage(evidence({ reported: true, usage, text: TEXT, partial: true }))).toEqual({
      usage,
      provenance: 'partial',
    });
    expect(settleUsage(evidence({ text: TEXT, partial: true })).provenance).toBe('estimated');
  });

  it('is none when nothing was reported or seen', () => {
    expect(settleUsage(evidence({ outcome: 'failed' }))).toEqual({ usage: EMPTY_USAGE, provenance: 'none' });
  });
});
