import { csvField } from '../../shared/csv';
import type { SummaryRow } from '../../shared/usage-query';

/** What a grouped export is grouped by: calendar days, or the whole range per model, provider or client. */
export type CsvGroup = 'day' | 'model' | 'provider' | 'client';

/** The totals columns, after the one naming the group. */
const TOTALS = [
  'requests',
  'completed',
  'failed',
  'aborted',
  'interrupted',
  'errors',
  'inputTokens',
  'cacheReadTokens',
  'cacheWriteTokens',
  'outputTokens',
  'reasoningTokens',
  'costUsd',
  'unpricedRequests',
  'ttfbP50Ms',
  'ttfbP95Ms',
] as const satisfies readonly (keyof SummaryRow)[];

/**
 * RFC 4180 CSV of summary rows (CRLF line ends, null → empty, formula-like text neutralised), like
 * `sluice usage --csv`: the first column is the group (`day` holds the day's start, ISO 8601), then the
 * totals.
 */
export function summaryRowsToCsv(rows: readonly SummaryRow[], group: CsvGroup): string {
  const lines = [[group, ...TOTALS].join(',')];
  for (const row of rows) {
    const first = group === 'day' ? row.bucketStart : row.key;
    lines.push([csvField(first), ...TOTALS.map((c) => csvField(row[c]))].join(','));
  }
  return lines.map((line) => `${line}\r\n`).join('');
}
