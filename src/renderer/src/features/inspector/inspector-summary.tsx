import type { JSX, ReactNode } from 'react';
import { StatusPill } from '../../components/status-pill';
import {
  formatDateTime,
  formatMs,
  formatRate,
  formatTokens,
  formatUsd,
  tokensPerSecond,
} from '../../lib/format';
import { clientLabel, formatLabel } from '../../lib/labels';
import type { LiveRow } from '../live/live-row';
import { routeChoiceText } from '../../../../shared/route-choice';

function Cell({
  label,
  children,
  wide,
}: {
  label: string;
  children: ReactNode;
  wide?: boolean;
}): JSX.Element {
  return (
    <div className={`sum-cell${wide ? ' wide' : ''}`}>
      <span className="sum-label">{label}</span>
      <span className="sum-value">{children}</span>
    </div>
  );
}

/** The request at a glance; TTFB and duration tick while it runs (`now` set). */
export function InspectorSummary({ row, now }: { row: LiveRow; now: number | null }): JSX.Element {
  const elapsed = now === null ? null : Math.max(0, now - row.startedAt);
  const ttfb = row.status === 'waiting' && elapsed !== null ? elapsed : row.ttfbMs;
  const duration = elapsed ?? row.durationMs;
  return (
    <div className="summary">
      <Cell label="status">
        <StatusPill status={row.status} />
        {row.httpStatus !== null && <span className="mono"> {row.httpStatus}</span>}
      </Cell>
      <Cell label="model → provider" wide>
        <span className="mono">{row.model ?? '—'}</span>
        <span className="muted"> → </span>
        <span className="mono">{row.provider ?? '…'}</span>
        {row.upstreamModel !== null && row.upstreamModel !== row.model && (
          <span className="muted mono"> (as {row.upstreamModel})</span>
        )}
      </Cell>
      {row.routing != null && (
        <Cell label="routing" wide>
          <span data-testid="insp-routing">{routeChoiceText(row.routing)}</span>
        </Cell>
      )}
      <Cell label="client · format">
        {clientLabel(row.client)} · {formatLabel(row.format)}
        {row.translatedTo !== null && (
          <>
            {' '}
            <span className="badge badge-xlate" title="translated for the provider, and its answer back">
              → {formatLabel(row.translatedTo)}
            </span>
          </>
        )}
        {row.stream ? '' : ' · no stream'}
      </Cell>
      <Cell label="started">
        <span className="num">{formatDateTime(row.startedAt)}</span>
      </Cell>
      <Cell label="TTFB">
        <span className={`num${row.status === 'waiting' ? ' ticking' : ''}`} data-testid="insp-ttfb">
          {formatMs(ttfb)}
        </span>
      </Cell>
      <Cell label="duration">
        <span className={`num${elapsed !== null ? ' ticking' : ''}`}>{formatMs(duration)}</span>
      </Cell>
      <Cell label="tokens in / out / cache">
        <span className="num">
          {formatTokens(row.inputTokens)} / {formatTokens(row.outputTokens)} /{' '}
          {formatTokens(
            row.cacheReadTokens === null && row.cacheWriteTokens === null
              ? null
              : (row.cacheReadTokens ?? 0) + (row.cacheWriteTokens ?? 0),
          )}
        </span>
      </Cell>
      <Cell label="tok/s">
        <span className="num">
          {formatRate(tokensPerSecond(row.outputTokens, row.durationMs, row.ttfbMs))}
        </span>
      </Cell>
      <Cell label="cost">
        <span className="num">{formatUsd(row.costUsd)}</span>
      </Cell>
      <Cell label="failover">
        <span className="num">
          {row.hops === null ? '—' : row.hops === 0 ? 'none' : `${row.hops} hop${row.hops === 1 ? '' : 's'}`}
          {row.skipped > 0 && `, ${row.skipped} skipped`}
        </span>
      </Cell>
      {row.error !== null && (
        <div className="sum-error" role="alert">
          {row.interrupted ? 'interrupted: ' : ''}
          {row.error}
        </div>
      )}
    </div>
  );
}
