import { memo, type JSX } from 'react';
import { StatusPill } from '../../components/status-pill';
import { Ticking } from '../../components/ticking';
import { formatClock, formatMs, formatRate, formatTokens, tokensPerSecond } from '../../lib/format';
import { clientLabel, formatLabel, translationLabel } from '../../lib/labels';
import { routeChoiceText } from '../../../../shared/route-choice';
import { isFinal, type LiveRow } from './live-row';

/** Fixed row height in px: the list's geometry never depends on content. */
export const ROW_HEIGHT = 24;

function cacheOf(r: LiveRow): number | null {
  if (r.cacheReadTokens === null && r.cacheWriteTokens === null) return null;
  return (r.cacheReadTokens ?? 0) + (r.cacheWriteTokens ?? 0);
}

function Hops({ row }: { row: LiveRow }): JSX.Element | null {
  const hops = row.hops ?? 0;
  if (hops === 0 && row.skipped === 0) return null;
  const title = `${hops} failed attempt${hops === 1 ? '' : 's'}${row.skipped > 0 ? `, ${row.skipped} skipped` : ''} before the answer`;
  return (
    <span className={`badge ${hops > 0 ? 'badge-warn' : ''}`} title={title}>
      ↻{hops > 0 ? hops : `${row.skipped}s`}
    </span>
  );
}

/** `messages → chat` when the attempt that served (or is being tried) was translated to another format. */
function Translated({ row }: { row: LiveRow }): JSX.Element | null {
  if (row.translatedTo === null) return null;
  const label = translationLabel(row.format, row.translatedTo);
  return (
    <span
      className="badge badge-xlate"
      data-testid="translated"
      title={`translated: the client speaks ${formatLabel(row.format)}, the provider ${formatLabel(row.translatedTo)}`}
    >
      {label}
    </span>
  );
}

/** The request was kept on the provider that served its conversation's previous turn. */
function Kept({ row }: { row: LiveRow }): JSX.Element | null {
  const on = row.routing?.affinity ?? null;
  if (on === null) return null;
  return (
    <span className="badge" data-testid="affinity" title={routeChoiceText(row.routing!)}>
      kept on {on}
    </span>
  );
}

/** The attempt waits for a socket to its provider: Sluice holds it back, so the row says so. */
function ConnectionWait({ row }: { row: LiveRow }): JSX.Element | null {
  if (row.connectionWait == null || isFinal(row.status)) return null;
  return (
    <span
      className="badge badge-warn"
      data-testid="connection-wait"
      title={`waiting for a connection to ${row.connectionWait}: every socket upstreamConnections allows is busy`}
    >
      waiting for a connection
    </span>
  );
}

interface Props {
  row: LiveRow;
  top: number;
  selected: boolean;
  onPick: (id: string) => void;
  onOpen: (id: string) => void;
}

/** One line of the Live list; re-renders only when its row object or selection changes. */
export const LiveRowView = memo(function LiveRowView({ row, top, selected, onPick, onOpen }: Props) {
  const waiting = row.status === 'waiting';
  const running = !isFinal(row.status);
  const model = row.upstreamModel !== null && row.upstreamModel !== row.model ? row.upstreamModel : null;
  const cache = cacheOf(row);
  return (
    <div
      role="row"
      aria-selected={selected}
      data-id={row.id}
      data-status={row.status}
      className={`lrow${selected ? ' is-selected' : ''}`}
      style={{ transform: `translateY(${top}px)` }}
      onClick={() => onPick(row.id)}
      onDoubleClick={() => onOpen(row.id)}
    >
      <span className="c-time num">{formatClock(row.startedAt)}</span>
      <span className="c-client">{clientLabel(row.client)}</span>
      <span className="c-format">{formatLabel(row.format)}</span>
      <span
        className="c-route"
        title={`${row.model ?? '?'}${model ? ` (as ${model})` : ''} → ${row.provider ?? '?'}${row.routing ? ` · ${routeChoiceText(row.routing)}` : ''}`}
      >
        <span className="mono">{row.model ?? '—'}</span>
        <span className="arrow"> → </span>
        <span className="mono muted">{row.provider ?? '…'}</span>
      </span>
      <span className="c-status">
        <StatusPill
          status={row.status}
          {...(row.error !== null || row.interrupted
            ? { title: row.interrupted ? 'interrupted: Sluice stopped mid-request' : (row.error ?? '') }
            : {})}
        />
      </span>
      <span className="c-ttfb num" data-col="ttfb">
        {waiting ? <Ticking since={row.startedAt} /> : formatMs(row.ttfbMs)}
      </span>
      <span className="c-dur num">
        {running ? <Ticking since={row.startedAt} /> : formatMs(row.durationMs)}
      </span>
      <span className="c-tok num">{formatTokens(row.inputTokens)}</span>
      <span className="c-tok num">{formatTokens(row.outputTokens)}</span>
      <span
        className="c-tok num"
        title={`cache read ${row.cacheReadTokens ?? '—'} · cache write ${row.cacheWriteTokens ?? '—'}`}
      >
        {formatTokens(cache)}
      </span>
      <span className="c-rate num">
        {formatRate(
          isFinal(row.status) ? tokensPerSecond(row.outputTokens, row.durationMs, row.ttfbMs) : null,
        )}
      </span>
      <span className="c-hops">
        <ConnectionWait row={row} />
        <Kept row={row} />
        <Translated row={row} />
        <Hops row={row} />
      </span>
    </div>
  );
});

/** The list's column titles, on the same grid as the rows. */
export function LiveHeader(): JSX.Element {
  return (
    <div className="lrow lhead" role="row">
      <span className="c-time">time</span>
      <span className="c-client">client</span>
      <span className="c-format">format</span>
      <span className="c-route">model → provider</span>
      <span className="c-status">status</span>
      <span className="c-ttfb num">TTFB</span>
      <span className="c-dur num">duration</span>
      <span className="c-tok num">in</span>
      <span className="c-tok num">out</span>
      <span className="c-tok num">cache</span>
      <span className="c-rate num">tok/s</span>
      <span
        className="c-hops"
        title="A translated request (client format → provider format), and failover hops"
      >
        translated · hops
      </span>
    </div>
  );
}
