import type { JSX } from 'react';
import type { NormalizedUsage, UsageRow } from '../../../../shared/usage';
import type { StoredPriceRule } from '../../../../shared/pricing';
import { formatInt, formatUsd } from '../../lib/format';
import { prettyJson } from './pretty-json';

const ROWS: { key: keyof NormalizedUsage; label: string; price?: keyof StoredPriceRule }[] = [
  { key: 'inputTokens', label: 'input (uncached)', price: 'inputPerMTok' },
  { key: 'cacheReadTokens', label: 'cache read', price: 'cacheReadPerMTok' },
  { key: 'cacheWriteTokens', label: 'cache write', price: 'cacheWrite5mPerMTok' },
  { key: 'cacheWrite5mTokens', label: '  of which 5 min' },
  { key: 'cacheWrite1hTokens', label: '  of which 1 h', price: 'cacheWrite1hPerMTok' },
  { key: 'outputTokens', label: 'output', price: 'outputPerMTok' },
  { key: 'reasoningTokens', label: '  of which reasoning' },
];

/** Tokens by kind, the price rule used, the cost, and the provider's raw usage object. */
export function UsageCostView({
  row,
  pricing,
}: {
  row: UsageRow;
  pricing: StoredPriceRule | null;
}): JSX.Element {
  return (
    <div className="usage-cost">
      <table className="kv nums">
        <thead>
          <tr>
            <th />
            <th className="num">tokens</th>
            <th className="num">$ / MTok</th>
          </tr>
        </thead>
        <tbody>
          {ROWS.map((r) => {
            const price = r.price === undefined || pricing === null ? null : pricing[r.price];
            return (
              <tr key={r.key}>
                <th className="pre">{r.label}</th>
                <td className="num">{formatInt(row[r.key])}</td>
                <td className="num">{typeof price === 'number' ? price.toFixed(2) : ''}</td>
              </tr>
            );
          })}
          <tr className="total">
            <th>cost</th>
            <td className="num" colSpan={2}>
              {formatUsd(row.costUsd)}
            </td>
          </tr>
        </tbody>
      </table>
      <p className="list-note">
        Token numbers: {row.usageProvenance}
        {pricing !== null
          ? ` · priced by rule “${pricing.modelPattern}”${pricing.provider !== null ? ` for ${pricing.provider}` : ''} (${pricing.source})`
          : ' · no price rule matched this model'}
      </p>
      {row.rawUsage !== null && (
        <>
          <h3>Raw usage from the provider</h3>
          <pre className="mono code">{prettyJson(row.rawUsage)}</pre>
        </>
      )}
    </div>
  );
}
