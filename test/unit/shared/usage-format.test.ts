import { describe, expect, it } from 'vitest';
import { USAGE_CSV_COLUMNS, usageRowsToCsv } from '../../../src/shared/usage-format';
import type { UsageRow } from '../../../src/shared/usage';

const row: UsageRow = {
  requestId: '0123456789abcdef0123456789abcdef',
  startedAt: '2025-01-02T03:04:05.678Z',
  client: 'other',
  userAgent: 'agent, with "quotes"\r\nand a line break',
  format: 'openai-chat',
  model: 'gpt-4o',
  upstreamModel: null,
  provider: 'openai',
  stream: false,
  status: 'completed',
  httpStatus: 200,
  ttfbMs: 12.5,
  upstreamTtfbMs: null,
  durationMs: 100,
  inputTokens: 0,
  cacheReadTokens: null,
  cacheWriteTokens: null,
  cacheWrite5mTokens: null,
  cacheWrite1hTokens: null,
  outputTokens: 5,
  reasoningTokens: null,
  usageProvenance: 'reported',
  rawUsage: '{"prompt_tokens":0,"completion_tokens":5}',
  error: null,
  costUsd: null,
  translatedTo: 'anthropic',
};

/** A minimal RFC 4180 reader, to prove the writer's output reads back to the same fields. */
function parseCsv(text: string): string[][] {
  const records: string[][] = [];
  let record: string[] = [];
  let field = '';
  let quoted = false;
  for (let i = 0; i < text.length; i++) {
    const c = text[i]!;
    if (quoted) {
      if (c === '"' && text[i + 1] === '"') {
        field += '"';
        i++;
      } else if (c === '"') quoted = false;
      else field += c;
    } else if (c === '"') quoted = true;
    else if (c === ',') {
      record.push(field);
      field = '';
    } else if (c === '\r' && text[i + 1] === '\n') {
      record.push(field);
      records.push(record);
      record = [];
      field = '';
      i++;
    } else field += c;
  }
  return records;
}

describe('usageRowsToCsv', () => {
  it('writes only the header for no rows', () => {
    expect(usageRowsToCsv([])).toBe(`${USAGE_CSV_COLUMNS.join(',')}\r\n`);
  });

  it('names every UsageRow field once, in a fixed order', () => {
    expect([...USAGE_CSV_COLUMNS].sort()).toEqual(Object.keys(row).sort());
    expect(USAGE_CSV_COLUMNS[0]).toBe('requestId');
  });

  it('quotes commas, quotes and line breaks, doubling inner quotes', () => {
    const csv = usageRowsToCsv([row]);
    expect(csv).toContain(',"agent, with ""quotes""\r\nand a line break",');
    expect(csv).toContain(',"{""prompt_tokens"":0,""completion_tokens"":5}",');
    expect(csv).toContain(',openai-chat,gpt-4o,,openai,false,completed,200,12.5,,100,0,');
  });

  it('reads back to the same fields', () => {
    const [header, record, ...rest] = parseCsv(usageRowsToCsv([row, row]));
    expect(header).toEqual([...USAGE_CSV_COLUMNS]);
    expect(rest).toHaveLength(1);
    expect(record).toHaveLength(USAGE_CSV_COLUMNS.length);
    const byName = Object.fromEntries(USAGE_CSV_COLUMNS.map((c, i) => [c, record![i]]));
    expect(byName.userAgent).toBe(row.userAgent);
    expect(byName.rawUsage).toBe(row.rawUsage);
    expect(byName.error).toBe('');
    expect(byName.translatedTo).toBe('anthropic');
    expect(USAGE_CSV_COLUMNS.at(-2)).toBe('costUsd');
  });
});
