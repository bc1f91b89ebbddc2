import { randomBytes } from 'node:crypto';
import type { RequestFinish, RequestStart } from '../../../src/shared/usage';

export function newRequestId(): string {
  return randomBytes(16).toString('hex');
}

export function aStart(overrides: Partial<RequestStart> = {}): RequestStart {
  return {
    requestId: newRequestId(),
    startedAtMs: Date.UTC(2025, 0, 2, 3, 4, 5, 678),
    client: 'claude-code',
    userAgent: 'claude-cli/1.0.0 (external, cli)',
    format: 'anthropic',
    model: 'claude-sonnet-4-5',
    stream: true,
    ...overrides,
  };
}

export function aFinish(requestId: string, overrides: Partial<RequestFinish> = {}): RequestFinish {
  return {
    requestId,
    status: 'completed',
    upstreamModel: 'claude-sonnet-4-5-20250929',
    provider: 'anthropic-main',
    httpStatus: 200,
    ttfbMs: 412.5,
    upstreamTtfbMs: 398,
    durationMs: 2345.25,
    inputTokens: 12,
    cacheReadTokens: 3000,
    cacheWriteTokens: 150,
    cacheWrite5mTokens: 100,
    cacheWrite1hTokens: 50,
    outputTokens: 321,
    reasoningTokens: 64,
    usageProvenance: 'reported',
    rawUsage: '{"input_tokens":12,"output_tokens":321}',
    error: null,
    translatedTo: null,
    ...overrides,
  };
}
