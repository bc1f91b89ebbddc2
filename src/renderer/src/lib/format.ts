/** Number and time formatting for dense, fixed-width cells. DOM-free (unit-tested in Node). */

export const DASH = '—';

/** A duration in ms: `840 ms`, `1.24 s`, `12.4 s`, `2m 03s`, `1h 04m`. */
export function formatMs(ms: number | null | undefined): string {
  if (ms === null || ms === undefined || !Number.isFinite(ms)) return DASH;
  const v = Math.max(0, ms);
  if (v < 1000) return `${Math.round(v)} ms`;
  if (v < 10_000) return `${(v / 1000).toFixed(2)} s`;
  if (v < 60_000) return `${(v / 1000).toFixed(1)} s`;
  const s = Math.floor(v / 1000);
  if (s < 3600) return `${Math.floor(s / 60)}m ${String(s % 60).padStart(2, '0')}s`;
  return `${Math.floor(s / 3600)}h ${String(Math.floor((s % 3600) / 60)).padStart(2, '0')}m`;
}

/** A token count, compact: `0`, `987`, `12.3k`, `123k`, `1.23M`. */
export function formatTokens(n: number | null | undefined): string {
  if (n === null || n === undefined || !Number.isFinite(n)) return DASH;
  const a = Math.abs(n);
  if (a < 1000) return String(Math.round(n));
  if (a < 10_000) return `${(n / 1000).toFixed(2)}k`;
  if (a < 1_000_000) return `${(n / 1000).toFixed(a < 100_000 ? 1 : 0)}k`;
  if (a < 1_000_000_000) return `${(n / 1_000_000).toFixed(a < 10_000_000 ? 2 : 1)}M`;
  return `${(n / 1_000_000_000).toFixed(2)}B`;
}

/** An integer with thousands separators: `1,234,567`. */
export function formatInt(n: number | null | undefined): string {
  if (n === null || n === undefined || !Number.isFinite(n)) return DASH;
  return Math.round(n).toLocaleString('en-US');
}

/** USD: `$0.0042` below a cent, `$1.23` above, `$1,234` from a thousand. */
export function formatUsd(usd: number | null | undefined): string {
  if (usd === null || usd === undefined || !Number.isFinite(usd)) return DASH;
  if (usd === 0) return '$0';
  const a = Math.abs(usd);
  if (a < 0.0001) return '<$0.0001';
  if (a < 0.01) return `$${usd.toFixed(4)}`;
  if (a < 1000) return `$${usd.toFixed(2)}`;
  return `$${Math.round(usd).toLocaleString('en-US')}`;
}

/** A percentage of a ratio 0–1: `0%`, `3.4%`, `100%`. */
export function formatPercent(ratio: number | null | undefined): string {
  if (ratio === null || ratio === undefined || !Number.isFinite(ratio)) return DASH;
  const p = ratio * 100;
  if (p === 0 || p === 100) return `${p}%`;
  return `${p < 10 ? p.toFixed(1) : Math.round(p)}%`;
}

/** Bytes: `512 B`, `1.5 KiB`, `12 MiB`. */
export function formatBytes(n: number | null | undefined): string {
  if (n === null || n === undefined || !Number.isFinite(n)) return DASH;
  const units = ['B', 'KiB', 'MiB', 'GiB', 'TiB'];
  let v = n;
  let i = 0;
  while (v >= 1024 && i < units.length - 1) {
    v /= 1024;
    i++;
  }
  return `${i === 0 || v >= 10 ? Math.round(v) : v.toFixed(1)} ${units[i] ?? 'B'}`;
}

const pad2 = (n: number): string => String(n).padStart(2, '0');

/** Local wall-clock time of an epoch-ms instant: `14:03:07.214`. */
export function formatClock(epochMs: number): string {
  const d = new Date(epochMs);
  const ms = String(d.getMilliseconds()).padStart(3, '0');
  return `${pad2(d.getHours())}:${pad2(d.getMinutes())}:${pad2(d.getSeconds())}.${ms}`;
}

/** Local date and time, to the second: `2026-05-28 14:03:07`. */
export function formatDateTime(epochMs: number): string {
  const d = new Date(epochMs);
  return `${d.getFullYear()}-${pad2(d.getMonth() + 1)}-${pad2(d.getDate())} ${pad2(d.getHours())}:${pad2(d.getMinutes())}:${pad2(d.getSeconds())}`;
}

/** How long ago, coarse: `just now`, `42 s ago`, `5 min ago`, `3 h ago`, `2 d ago`. */
export function formatAgo(epochMs: number | null, nowMs: number): string {
  if (epochMs === null) return 'never';
  const s = Math.max(0, Math.round((nowMs - epochMs) / 1000));
  if (s < 5) return 'just now';
  if (s < 60) return `${s} s ago`;
  if (s < 3600) return `${Math.floor(s / 60)} min ago`;
  if (s < 86_400) return `${Math.floor(s / 3600)} h ago`;
  return `${Math.floor(s / 86_400)} d ago`;
}

/** A signed offset from the request start: `+0 ms`, `+1 234 ms` (fixed unit so columns align). */
export function formatOffset(ms: number): string {
  return `+${Math.round(ms).toLocaleString('en-US')} ms`;
}

/**
 * Output tokens per second over the streaming part (first byte → end), or null when unknowable
 * (no output count, or less than 1 ms of streaming).
 */
export function tokensPerSecond(
  outputTokens: number | null,
  durationMs: number | null,
  ttfbMs: number | null,
): number | null {
  if (outputTokens === null || durationMs === null || outputTokens <= 0) return null;
  const streamingMs = durationMs - (ttfbMs ?? 0);
  const ms = streamingMs >= 1 ? streamingMs : durationMs;
  if (ms < 1) return null;
  return (outputTokens * 1000) / ms;
}

/** A tokens-per-second rate: `48.2/s`, `1.2k/s`. */
export function formatRate(perSecond: number | null): string {
  if (perSecond === null || !Number.isFinite(perSecond)) return DASH;
  if (perSecond < 100) return `${perSecond.toFixed(1)}/s`;
  if (perSecond < 1000) return `${Math.round(perSecond)}/s`;
  return `${(perSecond / 1000).toFixed(1)}k/s`;
}
