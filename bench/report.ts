import type { PathName } from './client';
import { errorsOf, evaluateFormat, figureOf, jitterP99, type FormatResults } from './figures';
import { goalText, RELAY_LABEL, type Evaluated, type FigureSpec } from './goals';
import type { CpuRound } from './phases';
import { median, percentile } from './stats';

/** Issue #16 §6: what translation (Anthropic client → Chat provider) may add to the relay (Chat → Chat). */
export const TRANSLATION_GOALS = { addedTtfbP50Ms: 0.3, cpuRatio: 2 };

const XLATE: PathName = 'anthropic→chat';
const FORMAT_LABEL = {
  chat: 'OpenAI Chat (`/v1/chat/completions`)',
  anthropic: 'Anthropic Messages (`/v1/messages`)',
};

const dash = '—';
const digits = { ms: 2, µs: 2, MB: 1, KB: 1 } as const;

/** A value in its figure's unit; added times carry their sign. */
function show(spec: FigureSpec, v: number): string {
  if (!Number.isFinite(v)) return dash;
  const sign = spec.added && v >= 0 ? '+' : '';
  return `${sign}${v.toFixed(digits[spec.unit])} ${spec.unit}`;
}

/** A comparison: a ratio, or for added times a difference. */
function versus(spec: FigureSpec, v: number, to: string): string {
  if (!Number.isFinite(v)) return '';
  return spec.added ? `${v >= 0 ? '+' : ''}${v.toFixed(2)} vs ${to}` : `${v.toFixed(2)}× ${to}`;
}

function verdictCell(e: Evaluated): string {
  switch (e.verdict) {
    case 'met':
      return `✓ met (≤ ${show(e.spec, e.limit)})`;
    case 'not met':
      return `✗ not met (limit ${show(e.spec, e.limit)})`;
    case 'unclaimed':
      return `unclaimed: ${e.why ?? ''}`;
    case 'not measured':
      return 'not measured';
  }
}

/** The issue's table for one format: each relay's figure, Sluice's against both yardsticks, the verdict. */
export function renderTable(evaluated: readonly Evaluated[]): string {
  const lines = [
    `| figure | ${RELAY_LABEL.nginx} | ${RELAY_LABEL.passthrough} | ${RELAY_LABEL.sluice} | goal | verdict |`,
    '|---|---|---|---|---|---|',
  ];
  for (const e of evaluated) {
    const s = e.spec;
    const pass = [show(s, e.values.passthrough), versus(s, e.passthroughVsNginx, 'nginx')];
    const both = [versus(s, e.vsNginx, 'nginx'), versus(s, e.vsPassthrough, 'passthrough')].filter(
      (x) => x !== '',
    );
    const sluice = [show(s, e.values.sluice), both.length > 0 ? `(${both.join(', ')})` : ''];
    const cell = (parts: string[]): string => parts.filter((x) => x !== '').join(' ');
    lines.push(
      `| ${s.label} | ${show(s, e.values.nginx)} | ${cell([pass[0]!, pass[1] === '' ? '' : `(${pass[1]})`])} | ` +
        `${cell(sluice)} | ${goalText(s)} | ${verdictCell(e)} |`,
    );
  }
  return lines.join('\n');
}

function rounds(m: Map<PathName, CpuRound[]>, p: PathName): string {
  const rs = m.get(p) ?? [];
  if (rs.length === 0) return dash;
  const cores = median(rs.map((x) => x.cores));
  const rate = median(rs.map((x) => x.eventsPerS)) / 1e3;
  return `${rs.map((x) => x.cpuUsPerEvent.toFixed(2)).join(', ')} µs (${cores.toFixed(2)} cores busy, ${rate.toFixed(0)}k events/s)`;
}

const mb = (k: number): string => (k / 1024).toFixed(1);

/** The lines under a format's table: raw rounds, the memory and burst phases' detail, errors. */
function details(r: FormatResults, paths: readonly PathName[]): string[] {
  const lines: string[] = [];
  const ms = (v: number): string => (Number.isFinite(v) ? v.toFixed(2) : dash);
  const of = (f: (p: PathName) => string): string => paths.map((p) => `${p} ${f(p)}`).join('; ');
  const p50 = (p: PathName): number => percentile(r.ttfb.get(p)?.samples ?? [], 50);
  const p99 = (p: PathName): number => percentile(r.ttfb.get(p)?.samples ?? [], 99);
  if (r.ttfb.size > 0) {
    lines.push(
      `- Time to first content p50 / p99 ms: ${of((p) => `${ms(p50(p))} / ${ms(p99(p))}`)}; direct ${ms(p50('direct'))} / ${ms(p99('direct'))}.`,
    );
    lines.push(
      `- Proxy CPU per short request: ${of((p) => `${(r.ttfb.get(p)?.cpuUsPerRequest ?? NaN).toFixed(0)} µs`)}.`,
    );
  }
  if (r.saturated.size > 0)
    lines.push(`- Flat-out rounds (CPU/event): ${of((p) => rounds(r.saturated, p))}.`);
  if (r.fixed.size > 0) {
    lines.push(`- Fixed-load rounds (CPU/event): ${of((p) => rounds(r.fixed, p))}.`);
    lines.push(
      `- Delivery jitter p99 ms (not yet less the direct path's): direct ${ms(jitterP99(r.fixed.get('direct')))}; ${of((p) => ms(jitterP99(r.fixed.get(p))))}.`,
    );
  }
  for (const p of ['direct', ...paths] as PathName[]) {
    const lost = (r.fixed.get(p) ?? []).reduce((n, x) => n + x.untagged, 0);
    if (lost > 0)
      lines.push(
        `- ${p}: ${lost} fixed-load streams reached the upstream without their tag; their jitter is not counted.`,
      );
  }
  for (const p of paths) {
    const x = r.rss.get(p);
    if (x === undefined) continue;
    lines.push(
      `- RSS ${p}: ${mb(x.beforeKb)} MB idle → ${mb(x.halfKb)} MB (half open) → ${mb(x.duringKb)} MB ` +
        `(${x.maxOpen} open); marginal ${x.marginalKb.toFixed(1)} KB per stream between the halves; open ${x.openS.toFixed(1)} s.`,
    );
  }
  for (const p of paths) {
    const b = r.burst.get(p);
    if (b === undefined) continue;
    const waiting = b.waiting > 0 ? `; ${b.waiting} still had no first byte when the wait ran out` : '';
    lines.push(
      `- 500 at once through ${p}: TTFB p50 ${ms(b.p50Ms)} / p99 ${ms(b.p99Ms)} / max ${ms(b.maxMs)} ms${waiting}.`,
    );
  }
  for (const p of ['direct', ...paths] as PathName[]) {
    const t = errorsOf(r, p);
    if (t.failed > 0)
      lines.push(`- ${p}: ${t.failed} of ${t.streams} streams failed; first: ${t.first ?? ''}`);
  }
  return lines;
}

/** Translation against the relay of the same run (Chat client → Chat provider). */
function translationVerdict(r: FormatResults): string {
  const p50 = (p: PathName): number => percentile(r.ttfb.get(p)?.samples ?? [], 50);
  const cpu = (m: Map<PathName, CpuRound[]>, p: PathName): number =>
    median((m.get(p) ?? []).map((x) => x.cpuUsPerEvent));
  const added = p50(XLATE) - p50('sluice');
  const sat = cpu(r.saturated, XLATE) / cpu(r.saturated, 'sluice');
  const fix = cpu(r.fixed, XLATE) / cpu(r.fixed, 'sluice');
  const g = TRANSLATION_GOALS;
  const mark = (v: number, ok: boolean): string => (Number.isFinite(v) ? (ok ? ' ✓' : ' ✗') : '');
  const x = (v: number): string => (Number.isFinite(v) ? `${v.toFixed(2)}×` : dash);
  return (
    `Translation (issue #16 §6; an Anthropic client through a Chat provider, against the Chat relay): ` +
    `added TTFB p50 ${Number.isFinite(added) ? added.toFixed(2) : dash} ms${mark(added, added <= g.addedTtfbP50Ms)} (goal ≤ ${g.addedTtfbP50Ms}) · ` +
    `CPU/event flat-out ${x(sat)}${mark(sat, sat <= g.cpuRatio)} · fixed ${x(fix)}${mark(fix, fix <= g.cpuRatio)} (goal ≤ ${g.cpuRatio}×)`
  );
}

/** One format's section: heading, table, details. */
export function renderFormat(r: FormatResults): string {
  const paths: PathName[] = ['nginx', 'passthrough', 'sluice'];
  const translated = r.ttfb.has(XLATE) || r.saturated.has(XLATE);
  const out = [
    `### ${FORMAT_LABEL[r.wire]}`,
    '',
    renderTable(evaluateFormat(r)),
    '',
    ...details(r, translated ? [...paths, XLATE] : paths),
  ];
  if (translated) out.push('', translationVerdict(r));
  return out.join('\n');
}

/** The figures as JSON-ready data, for a stop note to quote. */
export function formatJson(r: FormatResults): Record<string, unknown> {
  const figures = evaluateFormat(r).map((e) => ({
    id: e.spec.id,
    label: e.spec.label,
    unit: e.spec.unit,
    goal: goalText(e.spec),
    values: e.values,
    sluiceVsNginx: e.vsNginx,
    sluiceVsPassthrough: e.vsPassthrough,
    passthroughVsNginx: e.passthroughVsNginx,
    limit: e.limit,
    verdict: e.verdict,
  }));
  const paths: PathName[] = ['direct', 'nginx', 'passthrough', 'sluice', XLATE];
  const errors = Object.fromEntries(paths.map((p) => [p, errorsOf(r, p)]));
  const ttfbP50 = Object.fromEntries(paths.map((p) => [p, percentile(r.ttfb.get(p)?.samples ?? [], 50)]));
  return {
    format: r.wire,
    figures,
    ttfbP50Ms: ttfbP50,
    errors,
    rss: Object.fromEntries(r.rss),
    burst: Object.fromEntries(r.burst),
    translatedCpuFlat: figureOf(r, 'cpuFlat', XLATE),
  };
}
