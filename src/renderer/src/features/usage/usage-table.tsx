import type { JSX } from 'react';
import type { SummaryRow } from '../../../../shared/usage-query';
import { formatInt, formatMs, formatPercent, formatTokens, formatUsd } from '../../lib/format';
import { clientLabel } from '../../lib/labels';

/** Totals per model / provider / client over the range, biggest cost first. */
export function UsageTable({ rows, group }: { rows: readonly SummaryRow[]; group: string }): JSX.Element {
  const sorted = [...rows].sort((a, b) => b.costUsd - a.costUsd || b.requests - a.requests);
  return (
    <table className="grid-table">
      <thead>
        <tr>
          <th>{group}</th>
          <th className="num">requests</th>
          <th className="num">errors</th>
          <th className="num">input</th>
          <th className="num">cache read</th>
          <th className="num">cache write</th>
          <th className="num">output</th>
          <th className="num">cost</th>
          <th className="num">TTFB p50</th>
          <th className="num">p95</th>
        </tr>
      </thead>
      <tbody>
        {sorted.map((r) => (
          <tr key={r.key ?? ''}>
            <td className="mono">
              {r.key === null ? '(none)' : group === 'client' ? clientLabel(r.key) : r.key}
            </td>
            <td className="num">{formatInt(r.requests)}</td>
            <td className="num">{r.requests === 0 ? '—' : formatPercent(r.errors / r.requests)}</td>
            <td className="num">{formatTokens(r.inputTokens)}</td>
            <td className="num">{formatTokens(r.cacheReadTokens)}</td>
            <td className="num">{formatTokens(r.cacheWriteTokens)}</td>
            <td className="num">{formatTokens(r.outputTokens)}</td>
            <td className="num">
              {formatUsd(r.costUsd)}
              {r.unpricedRequests > 0 && (
                <span className="muted" title={`${r.unpricedRequests} unpriced`}>
                  *
                </span>
              )}
            </td>
            <td className="num">{formatMs(r.ttfbP50Ms)}</td>
            <td className="num">{formatMs(r.ttfbP95Ms)}</td>
          </tr>
        ))}
      </tbody>
    </table>
  );
}
