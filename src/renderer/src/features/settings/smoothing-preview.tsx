import { useEffect, useMemo, useState, type JSX } from 'react';
import type { SmoothingSettings } from '../../../../shared/settings';
import { endOf, SAMPLE_STREAM, simulateSmoothing, textAt } from './smoothing-sim';

const HOLD_MS = 900;

function TickRow({
  label,
  times,
  span,
  now,
}: {
  label: string;
  times: number[];
  span: number;
  now: number;
}): JSX.Element {
  let d = '';
  for (const t of times) if (t <= now) d += `M${((t / span) * 1000).toFixed(1)} 0V10`;
  return (
    <div className="pv-ticks">
      <span className="muted">{label}</span>
      <svg viewBox="0 0 1000 10" preserveAspectRatio="none" aria-hidden="true">
        <path d={d} vectorEffect="non-scaling-stroke" />
        <line
          x1={(now / span) * 1000}
          x2={(now / span) * 1000}
          y1="0"
          y2="10"
          className="pv-now"
          vectorEffect="non-scaling-stroke"
        />
      </svg>
    </div>
  );
}

/** A sample bursty stream played twice, side by side: as the upstream sends it and as your tool would see it. */
export function SmoothingPreview({ s }: { s: SmoothingSettings }): JSX.Element {
  const smoothed = useMemo(() => simulateSmoothing(s, SAMPLE_STREAM), [s]);
  const span = Math.max(endOf(SAMPLE_STREAM), endOf(smoothed)) + 100;
  const [t, setT] = useState(0);
  useEffect(() => {
    let raf = 0;
    const start = performance.now();
    const frame = (now: number): void => {
      setT((now - start) % (span + HOLD_MS));
      raf = requestAnimationFrame(frame);
    };
    raf = requestAnimationFrame(frame);
    return () => cancelAnimationFrame(raf);
  }, [span]);
  const now = Math.min(t, span);
  return (
    <div className="preview" aria-label="Smoothing preview">
      <div className="pv-panes">
        <div className="pv-pane">
          <span className="pv-title">upstream sends</span>
          <p className="pv-text">{textAt(SAMPLE_STREAM, now)}</p>
        </div>
        <div className="pv-pane">
          <span className="pv-title">
            {s.enabled ? `your tool sees (${s.mode})` : 'your tool sees (smoothing off)'}
          </span>
          <p className="pv-text">{textAt(smoothed, now)}</p>
        </div>
      </div>
      <TickRow label="upstream" times={SAMPLE_STREAM.map((c) => c.atMs)} span={span} now={now} />
      <TickRow label="delivered" times={smoothed.map((c) => c.atMs)} span={span} now={now} />
    </div>
  );
}
