import { useSyncExternalStore, type JSX } from 'react';
import { api, onPushConnection, pushesAreOpen } from './api';
import { useLiveSnapshot } from './features/live/live-store';
import { SCREENS, type Screen } from './lib/route';
import { setStatus, useStatus } from './lib/status-store';
import { useThemeChoice } from './lib/theme';

const THEME_LABEL = { system: 'Theme: system', dark: 'Theme: dark', light: 'Theme: light' } as const;

/** Screens (with their number keys), the gateway's address and state, pause, theme. */
export function TopBar({ screen, onGo }: { screen: Screen; onGo: (s: Screen) => void }): JSX.Element {
  const { status, error } = useStatus();
  const live = useLiveSnapshot();
  const [theme, cycleTheme] = useThemeChoice();
  const pushes = useSyncExternalStore(onPushConnection, pushesAreOpen);
  const togglePause = (): void => {
    if (status === null) return;
    void api.call('gateway.setPaused', { paused: !status.paused }).then((r) => {
      if (r.ok) setStatus(r.value);
    });
  };
  return (
    <header className="topbar" data-live={pushes ? 'open' : 'closed'}>
      <span className="brand">Sluice</span>
      <nav className="tabs" aria-label="Screens">
        {SCREENS.map((s, i) => (
          <button
            key={s.id}
            type="button"
            className={`tab${s.id === screen ? ' is-on' : ''}`}
            aria-current={s.id === screen ? 'page' : undefined}
            onClick={() => onGo(s.id)}
          >
            <kbd>{i + 1}</kbd>
            {s.label}
          </button>
        ))}
      </nav>
      <span className="spacer" />
      {error !== null && status === null ? (
        <span className="gw gw-down" role="status">
          Gateway unreachable
        </span>
      ) : (
        <span className={`gw${status?.paused ? ' gw-paused' : ''}`} role="status">
          <span className="gw-dot" aria-hidden="true" />
          <span className="mono">{status?.url ?? '…'}</span>
          <span className="num gw-inflight" title="Requests in flight">
            {live.inFlight} in flight
          </span>
          {!pushes && <span className="gw-stale">connecting…</span>}
        </span>
      )}
      <button
        type="button"
        className="btn btn-small"
        disabled={status === null}
        onClick={togglePause}
        title="A paused gateway answers new requests with 503 until resumed"
      >
        {status?.paused ? 'Resume' : 'Pause'}
      </button>
      <button
        type="button"
        className="btn btn-small"
        onClick={cycleTheme}
        title="Cycle system / dark / light"
      >
        {THEME_LABEL[theme]}
      </button>
    </header>
  );
}
