import { csvField } from './csv';
import type { UsageRow } from './usage';

/** CSV column order for `sluice usage --csv`: every UsageRow field, named as in the JSON output. */
export const USAGE_CSV_COLUMNS = [
  'requestId',
  'startedAt',
  'client',
  'userAgent',
  'format',
  'model',
  'upstreamModel',
  'provider',
  'stream',
  'status',
  'httpStatus',
  'ttfbMs',
  'upstreamTtfbMs',
  'durationMs',
  'inputTokens',
  'cacheReadTokens',
  'cacheWriteTokens',
  'cacheWrite5mTokens',
  'cacheWrite1hTokens',
  'outputTokens',
  'reasoningTokens',
  'usageProvenance',
  'rawUsage',
  'error',
  'costUsd',
  // Appended last, so the columns before it keep their positions in older exports' readers.
  'translatedTo',
] as const satisfies readonly (keyof UsageRow)[];

// Fails to compile when UsageRow gains a field the CSV does not carry (`route`, how the chain was
// chosen, is the inspector's: an object, not a column).
type _EveryFieldHasAColumn<
  Missing extends never = Exclude<keyof UsageRow, (typeof USAGE_CSV_COLUMNS)[number] | 'route'>,
> = Missing;

/** The CSV header line, with its CRLF. */
export function usageCsvHeader(): string {
  return `${USAGE_CSV_COLUMNS.join(',')}\r\n`;
}

/** One CSV record, with its CRLF (for exports written a row at a time). */
export function usageRowToCsvLine(row: UsageRow): string {
  return `${USAGE_CSV_COLUMNS.map((c) => csvField(row[c])).join(',')}\r\n`;
}

/**
 * RFC 4180 CSV: a header row, then one record per row; CRLF line ends; null is an empty field; text that
 * would start a formula gets a leading `'` (csv.ts).
 */
export function usageRowsToCsv(rows: readonly UsageRow[]): string {
  return usageCsvHeader() + rows.map(usageRowToCsvLine).join('');
}
