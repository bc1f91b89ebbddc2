import type { LiveEvent } from '../../../src/shared/live-events';
import type { UsageRow } from '../../../src/shared/usage';
import { EMPTY_USAGE } from '../../../src/shared/usage';

export const rid = (n: number): string => n.toString(16).padStart(32, '0');

/** The events of one request that fails over once and completes. */
export function failoverEvents(id: string, at: number): LiveEvent[] {
  return [
    {
      type: 'request-started',
      requestId: id,
      at,
      format: 'anthropic',
      model: 'claude-x',
      client: 'claude-code',
      stream: true,
    },
    {
      type: 'attempt-skipped',
      requestId: id,
      at: at + 1,
      provider: 'p0',
      code: 'circuit_open',
      reason: 'circuit_open',
    },
    { type: 'attempt-started', requestId: id, at: at + 2, attempt: 1, provider: 'p1', url: 'http://p1' },
    {
      type: 'attempt-failed',
      requestId: id,
      at: at + 50,
      attempt: 1,
      provider: 'p1',
      code: 'http_status',
      reason: 'http_status 529',
      status: 529,
      bodyHead: 'overloaded',
    },
    { type: 'attempt-started', requestId: id, at: at + 51, attempt: 2, provider: 'p2', url: 'http://p2' },
    { type: 'committed', requestId: id, at: at + 120, provider: 'p2', status: 200, ttfbMs: 120 },
    { type: 'sse-event', requestId: id, at: at + 121, offsetMs: 119, event: 'message_start', data: '{}' },
    {
      type: 'usage',
      requestId: id,
      at: at + 300,
      usage: { ...EMPTY_USAGE, inputTokens: 10, outputTokens: 20 },
    },
    {
      type: 'request-finished',
      requestId: id,
      at: at + 320,
      outcome: 'completed',
      httpStatus: 200,
      code: null,
      durationMs: 320,
      usage: { ...EMPTY_USAGE, inputTokens: 10, outputTokens: 20, cacheReadTokens: 5 },
      error: null,
    },
  ];
}

export function usageRow(id: string, startedAtMs: number, over: Partial<UsageRow> = {}): UsageRow {
  return {
    ...EMPTY_USAGE,
    requestId: id,
    startedAt: new Date(startedAtMs).toISOString(),
    client: 'codex',
    userAgent: 'codex_cli_rs/0.1',
    format: 'openai-responses',
    model: 'gpt-x',
    upstreamModel: null,
    provider: 'openai',
    stream: true,
    status: 'completed',
    httpStatus: 200,
    ttfbMs: 100,
    upstreamTtfbMs: 90,
    durationMs: 1000,
    usageProvenance: 'reported',
    rawUsage: null,
    error: null,
    costUsd: 0.001,
    translatedTo: null,
    ...over,
  };
}
