import type { JSX } from 'react';
import type { SummaryRow } from '../../../../shared/usage-query';
import { formatInt, formatMs, formatPercent, formatTokens, formatUsd } from '../../lib/format';

function Card({ label, value, sub }: { label: string; value: string; sub?: string }): JSX.Element {
  return (
    <div className="card">
      <span className="card-label">{label}</span>
      <span className="card-value num">{value}</span>
      {sub !== undefined && <span className="card-sub num">{sub}</span>}
    </div>
  );
}

/** The range's totals at a glance. */
export function UsageCards({ total }: { total: SummaryRow }): JSX.Element {
  const rate = total.requests === 0 ? null : total.errors / total.requests;
  return (
    <div className="cards">
      <Card
        label="requests"
        value={formatInt(total.requests)}
        sub={`${formatInt(total.completed)} completed`}
      />
      <Card
        label="error rate"
        value={formatPercent(rate)}
        sub={`${formatInt(total.errors)} errors · ${formatInt(total.aborted)} aborted`}
      />
      <Card
        label="input"
        value={formatTokens(total.inputTokens)}
        sub={`cache read ${formatTokens(total.cacheReadTokens)}`}
      />
      <Card
        label="output"
        value={formatTokens(total.outputTokens)}
        sub={`reasoning ${formatTokens(total.reasoningTokens)}`}
      />
      <Card label="cache write" value={formatTokens(total.cacheWriteTokens)} />
      <Card
        label="cost"
        value={formatUsd(total.costUsd)}
        {...(total.unpricedRequests > 0 ? { sub: `${formatInt(total.unpricedRequests)} unpriced` } : {})}
      />
      <Card label="TTFB p50" value={formatMs(total.ttfbP50Ms)} sub={`p95 ${formatMs(total.ttfbP95Ms)}`} />
    </div>
  );
}
