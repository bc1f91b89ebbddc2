import { useState, type JSX } from 'react';
import { formatMs } from '../../lib/format';
import { formatLabel } from '../../lib/labels';
import { timelineSpan, type AttemptLane, type Timeline } from './timeline';

const W = 1000;

/** Many instants as thin ticks in one SVG path (cheap for thousands). */
function Ticks({
  offsets,
  span,
  className,
}: {
  offsets: readonly number[];
  span: number;
  className: string;
}): JSX.Element {
  let d = '';
  for (const o of offsets) d += `M${((o / span) * W).toFixed(1)} 0V10`;
  return (
    <svg
      className={`ticks ${className}`}
      viewBox={`0 0 ${W} 10`}
      preserveAspectRatio="none"
      aria-hidden="true"
    >
      <path d={d} vectorEffect="non-scaling-stroke" />
    </svg>
  );
}

const pct = (ms: number, span: number): string => `${Math.min(100, Math.max(0, (ms / span) * 100))}%`;

interface LaneProps {
  a: AttemptLane;
  span: number;
  now: number | null;
  /** The request's end: a committed attempt relays until then. */
  requestEnd: number | null;
}

function Lane({ a, span, now, requestEnd }: LaneProps): JSX.Element {
  const [open, setOpen] = useState(false);
  const end = a.endMs ?? now ?? a.startMs;
  const relayEnd = a.state === 'committed' ? (requestEnd ?? now) : null;
  const status =
    a.httpStatus !== null && !(a.reason ?? '').includes(String(a.httpStatus)) ? a.httpStatus : null;
  const outcome = a.state === 'committed' ? 'answered' : a.state === 'running' ? 'running…' : a.state;
  return (
    <>
      <div className="wf-row" data-attempt={a.no} data-state={a.state}>
        <span className="wf-label mono" title={a.provider}>
          {a.state === 'skipped' ? 'skip' : `#${a.no}`} {a.provider}
        </span>
        <span className="wf-track">
          <span
            className={`wf-bar wf-${a.state}`}
            title={a.state === 'committed' ? 'connect, headers and prefetch up to the commit' : undefined}
            style={{ left: pct(a.startMs, span), width: `max(2px, ${pct(end - a.startMs, span)})` }}
          />
          {relayEnd !== null && relayEnd > end && (
            <span
              className="wf-bar wf-relay"
              title="relaying the stream to the client"
              style={{ left: pct(end, span), width: pct(relayEnd - end, span) }}
            />
          )}
        </span>
        <span className="wf-outcome">
          <span className={`chip chip-${a.state}`}>{outcome}</span>
          {a.translatedTo !== null && (
            <span
              className="badge badge-xlate"
              data-testid="attempt-translated"
              title={`The request was translated to ${formatLabel(a.translatedTo)} for this provider, and its answer back`}
            >
              → {formatLabel(a.translatedTo)}
            </span>
          )}
          {status !== null && <span className="mono"> {status}</span>}
          {a.keyFingerprint != null && (
            <span
              className="mono muted"
              data-testid="attempt-key"
              title="The provider key this attempt was sent with, by fingerprint (never the key)"
            >
              {' '}
              key {a.keyFingerprint}
            </span>
          )}
          {a.reason !== null && <span className="wf-reason"> {a.reason}</span>}
          {a.endMs !== null && a.state !== 'skipped' && (
            <span className="num muted"> {formatMs(a.endMs - a.startMs)}</span>
          )}
          {a.bodyHead !== null && (
            <button type="button" className="link" onClick={() => setOpen(!open)} aria-expanded={open}>
              {open ? 'hide bytes' : 'bytes'}
            </button>
          )}
        </span>
      </div>
      {open && a.bodyHead !== null && (
        <pre className="wf-bytes" title={`The bytes that made attempt ${a.no} fail over`}>
          {a.bodyHead}
        </pre>
      )}
    </>
  );
}

interface Mark {
  label: string;
  ms: number;
  kind: string;
}

/**
 * The waterfall: each attempt with its outcome and reason, the commit (TTFB), first content and end
 * marks, upstream frame arrivals, and — when smoothed — upstream arrival beside client delivery.
 */
export function Waterfall({ t, now }: { t: Timeline; now: number | null }): JSX.Element {
  const span = timelineSpan(t, now);
  const marks: Mark[] = [];
  if (t.ttfbMs !== null) marks.push({ label: `TTFB ${formatMs(t.ttfbMs)}`, ms: t.ttfbMs, kind: 'ttfb' });
  if (t.firstContentMs !== null)
    marks.push({
      label: `first content ${formatMs(t.firstContentMs)}`,
      ms: t.firstContentMs,
      kind: 'content',
    });
  if (t.endMs !== null) marks.push({ label: `end ${formatMs(t.endMs)}`, ms: t.endMs, kind: 'end' });
  const upstream = t.smoothed.map((s) => s.upstreamOffsetMs);
  const delivered = t.smoothed.flatMap((s) => s.deliveredOffsetsMs);
  return (
    <div className="wf" role="figure" aria-label="Waterfall">
      <div className="wf-row wf-axis">
        <span className="wf-label muted">attempt</span>
        <span className="wf-track">
          {[0, 0.25, 0.5, 0.75, 1].map((f) => (
            <span key={f} className="wf-axis-tick num" style={{ left: `${f * 100}%` }}>
              {formatMs(span * f)}
            </span>
          ))}
        </span>
        <span className="wf-outcome muted">outcome</span>
      </div>
      <div className="wf-body">
        <div className="wf-marks" aria-hidden="true">
          {marks.map((m) => (
            <span key={m.kind} className={`wf-mark wf-mark-${m.kind}`} style={{ left: pct(m.ms, span) }} />
          ))}
        </div>
        {t.attempts.length === 0 && (
          <div className="wf-row">
            <span className="wf-label muted">no attempt yet</span>
          </div>
        )}
        {t.attempts.map((a) => (
          <Lane key={`${a.no}-${a.provider}`} a={a} span={span} now={now} requestEnd={t.endMs} />
        ))}
        {t.frameOffsetsMs.length > 0 && (
          <div className="wf-row">
            <span className="wf-label muted">upstream frames</span>
            <span className="wf-track">
              <Ticks offsets={t.frameOffsetsMs} span={span} className="ticks-frames" />
            </span>
            <span className="wf-outcome num muted">{t.frameOffsetsMs.length} frames</span>
          </div>
        )}
        {t.smoothed.length > 0 && (
          <>
            <div className="wf-row">
              <span className="wf-label muted">upstream arrival</span>
              <span className="wf-track">
                <Ticks offsets={upstream} span={span} className="ticks-upstream" />
              </span>
              <span className="wf-outcome num muted">
                {upstream.length} deltas split
                {t.smoothedDropped > 0 && ` (${t.smoothedDropped} more not kept)`}
              </span>
            </div>
            <div className="wf-row">
              <span className="wf-label muted">client delivery</span>
              <span className="wf-track">
                <Ticks offsets={delivered} span={span} className="ticks-delivered" />
              </span>
              <span className="wf-outcome num muted">{delivered.length} pieces</span>
            </div>
          </>
        )}
      </div>
      <div className="wf-legend">
        {marks.map((m) => (
          <span key={m.kind} className={`wf-legend-item wf-legend-${m.kind}`}>
            {m.label}
          </span>
        ))}
      </div>
    </div>
  );
}
