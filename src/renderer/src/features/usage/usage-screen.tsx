import { useEffect, useMemo, useState, type JSX } from 'react';
import { EmptyState } from '../../components/empty-state';
import { ErrorNote } from '../../components/error-note';
import { callOrThrow } from '../../api';
import { downloadText } from '../../lib/download';
import { formatPercent, formatTokens, formatUsd } from '../../lib/format';
import { useCall } from '../../lib/use-call';
import { UsageCards } from './usage-cards';
import {
  bucketStarts,
  errorRateSeries,
  toSeries,
  totalOf,
  ttfbEdgeLabel,
  ttfbHistogram,
} from './usage-series';
import { UsageTable } from './usage-table';
import { UChart, type ChartSpec } from './u-chart';

const RANGES = [
  { id: '24h', label: '24 h', ms: 86_400_000, bucket: 'hour' },
  { id: '7d', label: '7 days', ms: 7 * 86_400_000, bucket: 'hour' },
  { id: '30d', label: '30 days', ms: 30 * 86_400_000, bucket: 'day' },
  { id: '90d', label: '90 days', ms: 90 * 86_400_000, bucket: 'day' },
] as const;
type RangeId = (typeof RANGES)[number]['id'];
type Group = 'model' | 'provider' | 'client';
type CsvShape = 'rows' | 'day' | 'model' | 'provider' | 'client';

/** Tokens and cost over time by model / provider / client, TTFB distribution, error rate, totals, CSV. */
export function UsageScreen(): JSX.Element {
  const [rangeId, setRangeId] = useState<RangeId>('24h');
  const [group, setGroup] = useState<Group>('model');
  const [csv, setCsv] = useState<CsvShape>('rows');
  const [tick, setTick] = useState(0);
  const [csvError, setCsvError] = useState<string | null>(null);
  const range = RANGES.find((r) => r.id === rangeId) ?? RANGES[0];
  // The window moves with every refresh; sinceMs is whole seconds so the request key stays stable.
  const sinceMs = useMemo(() => Math.floor((Date.now() - range.ms) / 1000) * 1000, [range.ms, tick]);
  useEffect(() => {
    const t = setInterval(() => setTick((n) => n + 1), 15_000);
    return () => clearInterval(t);
  }, []);

  const [byTime] = useCall('usage.summary', { sinceMs, bucket: range.bucket, groupBy: group });
  const [overall] = useCall('usage.summary', { sinceMs, bucket: range.bucket, groupBy: 'none' });
  const [totals, reloadTotals] = useCall('usage.summary', { sinceMs, bucket: 'all', groupBy: 'none' });
  const [table] = useCall('usage.summary', { sinceMs, bucket: 'all', groupBy: group });
  const [recent] = useCall('requests.page', { sinceMs, status: 'completed', limit: 1000 });

  // Every bucket of the range, so quiet hours show as gaps and the axis spans the whole range.
  const buckets = useMemo(() => {
    const anchor = byTime.state === 'ready' ? (byTime.value[0]?.bucketStartMs ?? null) : null;
    return bucketStarts(sinceMs, Date.now(), range.bucket, anchor);
  }, [byTime, sinceMs, range.bucket]);
  const charts = useMemo(() => {
    if (byTime.state !== 'ready') return null;
    return {
      tokens: {
        ...toSeries(byTime.value, 'tokens', buckets),
        formatY: formatTokens,
        kind: 'stacked',
      } satisfies ChartSpec,
      cost: {
        ...toSeries(byTime.value, 'cost', buckets),
        formatY: formatUsd,
        kind: 'stacked',
      } satisfies ChartSpec,
    };
  }, [byTime, buckets]);
  const errors = useMemo<ChartSpec | null>(
    () =>
      overall.state === 'ready'
        ? { ...errorRateSeries(overall.value, buckets), formatY: formatPercent, kind: 'bars', yMax: 1 }
        : null,
    [overall, buckets],
  );
  const ttfb = useMemo<ChartSpec | null>(() => {
    if (recent.state !== 'ready') return null;
    const values = recent.value.rows.flatMap((r) => (r.ttfbMs === null ? [] : [r.ttfbMs]));
    const h = ttfbHistogram(values);
    return {
      xs: h.edges.map((_e, i) => i),
      xLabels: h.edges.map((e, i) => ttfbEdgeLabel(e, i === h.edges.length - 1)),
      series: [{ label: 'requests', values: h.counts }],
      formatY: (v) => String(Math.round(v)),
      kind: 'bars',
      integer: true,
    };
  }, [recent]);

  const exportCsv = (): void => {
    void callOrThrow('usage.exportCsv', { sinceMs, ...(csv === 'rows' ? {} : { groupBy: csv }) }).then(
      (text) => {
        setCsvError(null);
        downloadText(`sluice-usage-${rangeId}-${csv}.csv`, text, 'text/csv');
      },
      (err: unknown) => setCsvError(err instanceof Error ? err.message : String(err)),
    );
  };

  const total = totals.state === 'ready' ? totalOf(totals.value) : null;
  return (
    <section className="screen usage" aria-label="Usage">
      <div className="toolbar">
        <div className="seg" role="tablist" aria-label="Range">
          {RANGES.map((r) => (
            <button
              key={r.id}
              type="button"
              role="tab"
              aria-selected={r.id === rangeId}
              className={`seg-btn${r.id === rangeId ? ' is-on' : ''}`}
              onClick={() => setRangeId(r.id)}
            >
              {r.label}
            </button>
          ))}
        </div>
        <label className="inline">
          by
          <select value={group} onChange={(e) => setGroup(e.target.value as Group)} aria-label="Group by">
            <option value="model">model</option>
            <option value="provider">provider</option>
            <option value="client">client</option>
          </select>
        </label>
        <button type="button" className="btn btn-small" onClick={() => setTick((n) => n + 1)}>
          Refresh
        </button>
        <span className="spacer" />
        <label className="inline">
          CSV
          <select value={csv} onChange={(e) => setCsv(e.target.value as CsvShape)} aria-label="CSV shape">
            <option value="rows">one line per request</option>
            <option value="day">by day</option>
            <option value="model">by model</option>
            <option value="provider">by provider</option>
            <option value="client">by client</option>
          </select>
        </label>
        <button type="button" className="btn btn-small" onClick={exportCsv}>
          Export CSV
        </button>
      </div>
      <div className="usage-scroll">
        {totals.state === 'failed' && <ErrorNote message={totals.message} onRetry={reloadTotals} />}
        {csvError !== null && <ErrorNote message={`CSV export failed: ${csvError}`} />}
        {total !== null && <UsageCards total={total} />}
        {total !== null && total.requests === 0 ? (
          <EmptyState title={`No finished requests in the last ${range.label}`}>
            <p>
              Charts fill in as requests finish. Send one through Sluice (Setup, <kbd>6</kbd>), or pick a
              longer range above.
            </p>
          </EmptyState>
        ) : (
          <div className="charts">
            <figure className="chart">
              <figcaption>
                Tokens per {range.bucket} by {group}
              </figcaption>
              {charts && <UChart spec={charts.tokens} label={`Tokens over time by ${group}`} />}
            </figure>
            <figure className="chart">
              <figcaption>
                Cost per {range.bucket} by {group}
              </figcaption>
              {charts && <UChart spec={charts.cost} label={`Cost over time by ${group}`} />}
            </figure>
            <figure className="chart">
              <figcaption>
                TTFB distribution, ms (last {recent.state === 'ready' ? recent.value.rows.length : 0}{' '}
                completed)
              </figcaption>
              {ttfb && <UChart spec={ttfb} label="TTFB distribution" />}
            </figure>
            <figure className="chart">
              <figcaption>Error rate per {range.bucket}</figcaption>
              {errors && <UChart spec={errors} label="Error rate over time" />}
            </figure>
          </div>
        )}
        {table.state === 'ready' && table.value.length > 0 && <UsageTable rows={table.value} group={group} />}
      </div>
    </section>
  );
}
