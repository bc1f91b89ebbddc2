import { useCallback, useDeferredValue, useMemo, useRef, useState, type JSX } from 'react';
import { formatInt } from '../../lib/format';
import { useShortcuts } from '../../lib/keys';
import { filterRows, LIVE_VIEWS, type LiveView } from './live-filter';
import { LiveEmpty } from './live-empty';
import { LiveList } from './live-list';
import { hasOlder, loadOlder, useLiveSnapshot } from './live-store';

interface Props {
  selectedId: string | null;
  onSelect: (id: string | null) => void;
  onOpen: (id: string) => void;
  onGo: (screen: 'providers' | 'setup') => void;
}

/** Requests in flight and recent ones, newest first; filters; j/k, Enter, `/`. */
export function LiveScreen({ selectedId, onSelect, onOpen, onGo }: Props): JSX.Element {
  const snap = useLiveSnapshot();
  const [query, setQuery] = useState('');
  const [view, setView] = useState<LiveView>('all');
  const deferredQuery = useDeferredValue(query);
  const rows = useMemo(() => filterRows(snap.rows, deferredQuery, view), [snap.rows, deferredQuery, view]);
  const filterInput = useRef<HTMLInputElement>(null);

  const move = (delta: number): void => {
    if (rows.length === 0) return;
    const i = selectedId === null ? -1 : rows.findIndex((r) => r.id === selectedId);
    const next = i < 0 ? 0 : Math.min(rows.length - 1, Math.max(0, i + delta));
    onSelect(rows[next]?.id ?? null);
  };

  useShortcuts((e) => {
    if (e.key === 'Escape') {
      if (document.activeElement === filterInput.current) {
        if (query !== '') setQuery('');
        else filterInput.current?.blur();
        e.preventDefault();
      } else if (selectedId !== null) {
        onSelect(null);
        e.preventDefault();
      }
      return;
    }
    switch (e.key) {
      case 'j':
      case 'ArrowDown':
        move(1);
        break;
      case 'k':
      case 'ArrowUp':
        move(-1);
        break;
      case 'g':
        onSelect(rows[0]?.id ?? null);
        break;
      case 'G':
        onSelect(rows.at(-1)?.id ?? null);
        break;
      case 'Enter':
        if (selectedId !== null) onOpen(selectedId);
        break;
      case '/':
        filterInput.current?.focus();
        filterInput.current?.select();
        break;
      default:
        return;
    }
    e.preventDefault();
  });

  const [loadingOlder, setLoadingOlder] = useState(false);
  const onEnd = useCallback(() => {
    if (!hasOlder() || loadingOlder) return;
    setLoadingOlder(true);
    void loadOlder().finally(() => setLoadingOlder(false));
  }, [loadingOlder]);

  const filtered = rows.length !== snap.rows.length;
  return (
    <section className="screen live" aria-label="Live">
      <div className="toolbar">
        <input
          ref={filterInput}
          className="filter"
          type="search"
          value={query}
          placeholder="Filter ( / )  e.g. sonnet status:failed -codex"
          aria-label="Filter requests"
          spellCheck={false}
          onChange={(e) => setQuery(e.target.value)}
          onKeyDown={(e) => {
            if (e.key === 'Enter' || e.key === 'ArrowDown') {
              e.currentTarget.blur();
              if (selectedId === null) onSelect(rows[0]?.id ?? null);
              e.preventDefault();
            }
          }}
        />
        <div className="seg" role="tablist" aria-label="Show">
          {LIVE_VIEWS.map((v) => (
            <button
              key={v.id}
              type="button"
              role="tab"
              aria-selected={view === v.id}
              className={`seg-btn${view === v.id ? ' is-on' : ''}`}
              onClick={() => setView(v.id)}
            >
              {v.label}
            </button>
          ))}
        </div>
        <span className="spacer" />
        <span className="counts num" aria-live="off">
          {snap.inFlight > 0 && <span className="inflight">{snap.inFlight} in flight · </span>}
          {filtered
            ? `${formatInt(rows.length)} of ${formatInt(snap.rows.length)}`
            : formatInt(snap.rows.length)}{' '}
          {snap.rows.length === 1 ? 'request' : 'requests'}
        </span>
      </div>
      {snap.rows.length === 0 ? (
        <LiveEmpty onGo={onGo} />
      ) : (
        <>
          <LiveList rows={rows} selectedId={selectedId} onPick={onSelect} onOpen={onOpen} onEnd={onEnd} />
          {rows.length === 0 && (
            <p className="list-note">
              No request matches{query !== '' ? ` “${query}”` : ''} in this view. Esc clears the filter.
            </p>
          )}
        </>
      )}
      <footer className="hints" aria-hidden="true">
        <kbd>j</kbd>/<kbd>k</kbd> move · <kbd>Enter</kbd> inspect · <kbd>/</kbd> filter · <kbd>Esc</kbd> back
        · <kbd>1</kbd>–<kbd>6</kbd> screens
      </footer>
    </section>
  );
}
