import { useEffect, useRef, type JSX } from 'react';
import uPlot from 'uplot';
import 'uplot/dist/uPlot.min.css';
import { useIsDark } from '../../lib/theme';
import { stackSeries } from './usage-series';

/** Series colours, distinct in both themes; read from CSS so a theme can tune them. */
const PALETTE_VARS = ['--c1', '--c2', '--c3', '--c4', '--c5', '--c6'];

/** A colour variable resolved to rgb() (the theme's light-dark() means nothing to a canvas). */
function cssVar(name: string): string {
  const probe = document.createElement('span');
  probe.style.color = `var(${name})`;
  probe.style.display = 'none';
  document.body.append(probe);
  const color = getComputedStyle(probe).color;
  probe.remove();
  return color;
}

export interface ChartSpec {
  /** x values: epoch seconds (time axis) or indexes (category axis, with `xLabels`). */
  xs: number[];
  series: { label: string; values: (number | null)[] }[];
  /** Formats a y value for the axis and the legend. */
  formatY: (v: number) => string;
  /** `stacked`: bars stacked per x; `bars`: one bar series; `line`: lines with points. */
  kind: 'stacked' | 'bars' | 'line';
  /** Category labels (a histogram); absent = a time axis. */
  xLabels?: string[];
  /** A fixed top of the y axis (1 for a ratio); else from the data, at least `minYMax`. */
  yMax?: number;
  /** Whole-number y ticks (counts). */
  integer?: boolean;
}

const INTEGER_INCRS = [1, 2, 5, 10, 20, 50, 100, 200, 500, 1_000, 2_000, 5_000, 10_000, 100_000, 1_000_000];

function options(spec: ChartSpec, width: number, height: number): uPlot.Options {
  const fg = cssVar('--muted');
  const grid = cssVar('--grid');
  const axis: uPlot.Axis = {
    stroke: fg,
    grid: { stroke: grid, width: 1 },
    ticks: { stroke: grid, width: 1, size: 4 },
    font: '11px ui-monospace, SFMono-Regular, Menlo, Consolas, monospace',
  };
  const labels = spec.xLabels;
  const n = spec.series.length;
  // Stacked: series are drawn tallest (the running total) first, so each smaller sum paints over it.
  const order =
    spec.kind === 'stacked' ? spec.series.map((_s, i) => n - 1 - i) : spec.series.map((_s, i) => i);
  const step = spec.xs.length > 1 ? (spec.xs[1] ?? 0) - (spec.xs[0] ?? 0) : 3600;
  const bars = spec.kind !== 'line';
  return {
    width,
    height,
    padding: [8, 20, 0, 0],
    scales: {
      x:
        labels === undefined
          ? { time: true, range: () => [spec.xs[0] ?? 0, (spec.xs.at(-1) ?? 0) + step] }
          : { time: false, range: (_u, min, max) => [min - 0.5, max + 0.5] },
      y: { range: (_u, _min, max) => [0, spec.yMax ?? (max > 0 ? max * 1.1 : 1)] },
    },
    legend: { show: true, live: true },
    cursor: { drag: { x: false, y: false }, points: { size: 5 } },
    series: [
      labels === undefined ? {} : { value: (_u, v) => (v === null ? '' : (labels[Math.round(v)] ?? '')) },
      ...order.map((i): uPlot.Series => {
        const s = spec.series[i]!;
        const color = cssVar(PALETTE_VARS[i % PALETTE_VARS.length] ?? '--c1');
        return {
          label: s.label,
          stroke: color,
          width: bars ? 0 : 1.5,
          fill: bars ? color : undefined,
          points: { show: !bars && spec.xs.length < 60, size: 4 },
          // The legend shows each group's own value, not the running total it is drawn at.
          value: (_u, v, _sidx, idx) => {
            const raw = idx === null ? v : (s.values[idx] ?? null);
            return raw === null ? '—' : spec.formatY(raw);
          },
          spanGaps: false,
          ...(bars
            ? { paths: uPlot.paths.bars!({ size: [0.8, 48, 1], align: labels === undefined ? 1 : 0 }) }
            : {}),
        };
      }),
    ],
    axes: [
      labels === undefined
        ? axis
        : {
            ...axis,
            splits: () => labels.map((_l, i) => i),
            values: (_u, vals) => vals.map((v) => labels[v] ?? ''),
          },
      {
        ...axis,
        size: 64,
        values: (_u, vals) => vals.map((v) => spec.formatY(v)),
        ...(spec.integer ? { incrs: INTEGER_INCRS } : {}),
      },
    ],
  };
}

function data(spec: ChartSpec): uPlot.AlignedData {
  if (spec.kind !== 'stacked') return [spec.xs, ...spec.series.map((s) => s.values)];
  const stacked = stackSeries(spec.series.map((s) => s.values));
  return [spec.xs, ...stacked.reverse()];
}

/** A uPlot chart that follows its container's width and the theme. */
export function UChart({
  spec,
  height = 180,
  label,
}: {
  spec: ChartSpec;
  height?: number;
  label: string;
}): JSX.Element {
  const box = useRef<HTMLDivElement>(null);
  const dark = useIsDark();
  useEffect(() => {
    const el = box.current;
    if (el === null) return;
    const plot = new uPlot(options(spec, Math.max(200, el.clientWidth), height), data(spec), el);
    let lastWidth = el.clientWidth;
    const ro = new ResizeObserver(() => {
      const w = el.clientWidth;
      if (w === lastWidth || w === 0) return;
      lastWidth = w;
      plot.setSize({ width: Math.max(200, w), height });
    });
    ro.observe(el);
    return () => {
      ro.disconnect();
      plot.destroy();
    };
  }, [spec, height, dark]);
  return <div className="uchart" ref={box} role="img" aria-label={label} />;
}
