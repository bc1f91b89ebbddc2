/**
 * The figures of issue #17's table, the goal each is held to, and the verdict: pure, so the rules are
 * tested apart from any run. A goal is claimed only from a run where nginx and the Node passthrough
 * ran too — a figure without its yardstick proves nothing.
 */

/** The three relays of the table. */
export type Relay = 'nginx' | 'passthrough' | 'sluice';
export const RELAYS: readonly Relay[] = ['nginx', 'passthrough', 'sluice'];
export const RELAY_LABEL: Record<Relay, string> = {
  nginx: 'nginx',
  passthrough: 'Node passthrough',
  sluice: 'Sluice',
};

export type FigureId =
  'addedTtfbP50' | 'cpuFlat' | 'peakRssFlat' | 'cpuFixed' | 'addedJitterP99' | 'kbPerStream' | 'burstTtfbP99';

/** Sluice's figure must be ≤ `max` (`of` absent), or ≤ `max` × the figure of `of` from the same run. */
export interface Goal {
  max: number;
  of?: 'nginx' | 'passthrough';
}

export interface FigureSpec {
  id: FigureId;
  label: string;
  unit: 'ms' | 'µs' | 'MB' | 'KB';
  /** An added time (a difference to the direct path): compared by difference, not ratio. */
  added: boolean;
  goal: Goal;
}

export const FIGURES: readonly FigureSpec[] = [
  {
    id: 'addedTtfbP50',
    label: 'added time to first content, p50',
    unit: 'ms',
    added: true,
    goal: { max: 0.5 },
  },
  {
    id: 'cpuFlat',
    label: 'CPU per event, 32 streams flat out',
    unit: 'µs',
    added: false,
    goal: { max: 2.5, of: 'nginx' },
  },
  {
    id: 'peakRssFlat',
    label: 'peak RSS, 32 streams flat out',
    unit: 'MB',
    added: false,
    goal: { max: 1.5, of: 'passthrough' },
  },
  {
    id: 'cpuFixed',
    label: 'CPU per event, 16 k events/s fixed',
    unit: 'µs',
    added: false,
    goal: { max: 1.8, of: 'nginx' },
  },
  {
    id: 'addedJitterP99',
    label: 'added delivery jitter p99, fixed load',
    unit: 'ms',
    added: true,
    goal: { max: 1.5 },
  },
  {
    id: 'kbPerStream',
    label: 'memory per open stream, 500 slow streams',
    unit: 'KB',
    added: false,
    goal: { max: 48 },
  },
  {
    id: 'burstTtfbP99',
    label: 'time to first byte p99, 500 streams at once',
    unit: 'ms',
    added: false,
    goal: { max: 2, of: 'nginx' },
  },
];

/** One figure's values by relay; NaN where the relay or the phase did not run. */
export type FigureValues = Record<Relay, number>;

export type Verdict = 'met' | 'not met' | 'unclaimed' | 'not measured';

export interface Evaluated {
  spec: FigureSpec;
  values: FigureValues;
  /** Sluice ÷ nginx and Sluice ÷ passthrough (differences for added times). */
  vsNginx: number;
  vsPassthrough: number;
  /** The passthrough against nginx, the same way. */
  passthroughVsNginx: number;
  /** The bound Sluice's figure is held to in this run, in the figure's unit; NaN without its yardstick. */
  limit: number;
  verdict: Verdict;
  /** Why a verdict is not met/not met, in words. */
  why: string | null;
}

const finite = Number.isFinite;

function compare(spec: FigureSpec, a: number, b: number): number {
  if (!finite(a) || !finite(b)) return NaN;
  if (spec.added) return a - b;
  return b > 0 ? a / b : NaN;
}

export function evaluate(spec: FigureSpec, values: FigureValues): Evaluated {
  const vsNginx = compare(spec, values.sluice, values.nginx);
  const vsPassthrough = compare(spec, values.sluice, values.passthrough);
  const passthroughVsNginx = compare(spec, values.passthrough, values.nginx);
  const base = spec.goal.of === undefined ? 1 : values[spec.goal.of];
  const limit = finite(base) ? spec.goal.max * base : NaN;
  const out = { spec, values, vsNginx, vsPassthrough, passthroughVsNginx, limit };
  if (!finite(values.sluice))
    return { ...out, limit: NaN, verdict: 'not measured', why: 'Sluice was not measured' };
  const missing = (['nginx', 'passthrough'] as const).filter((r) => !finite(values[r]));
  if (missing.length > 0) {
    const names = missing.map((r) => RELAY_LABEL[r]).join(' and ');
    return { ...out, verdict: 'unclaimed', why: `${names} did not run in this phase` };
  }
  return { ...out, verdict: values.sluice <= limit ? 'met' : 'not met', why: null };
}

/** The goal in words, as the table's goal column shows it. */
export function goalText(spec: FigureSpec): string {
  const g = spec.goal;
  if (g.of !== undefined) return `≤ ${g.max}× ${g.of === 'nginx' ? 'nginx' : 'the Node passthrough'}`;
  return `≤ ${spec.added ? '+' : ''}${g.max} ${spec.unit}`;
}
