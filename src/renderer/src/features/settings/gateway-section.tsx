import { useEffect, useState, type JSX, type ReactNode } from 'react';
import { api, followGateway } from '../../api';
import { CopyButton } from '../../components/copy-button';
import { useStatus } from '../../lib/status-store';
import { useCall } from '../../lib/use-call';
import { SettingRow } from './setting-fields';

interface GatewaySectionProps {
  /** The gateway's own settings (token required, allowed origins), shown between token and data folder. */
  children?: ReactNode;
  /** Told what was just changed (`port`, `token`), for the screen's "Saved …" note. */
  onSaved?: (what: string) => void;
}

/** A port as typed: a whole number 0–65535, else null. */
function parsePort(text: string): number | null {
  const t = text.trim();
  if (!/^\d{1,5}$/.test(t)) return null;
  const n = Number(t);
  return n <= 65535 ? n : null;
}

/**
 * Port (moved at once, kept for the next start), the local token that opens the dashboard and the API
 * token tools send (revealed, copied, rotated together), data folder.
 * In a browser the page came from the old port, so after a move it reopens itself on the new one.
 */
export function GatewaySection({ children, onSaved }: GatewaySectionProps): JSX.Element {
  const { status } = useStatus();
  const [setup, reloadSetup] = useCall('setup.get', {});
  const [reveal, setReveal] = useState(false);
  const [revealApi, setRevealApi] = useState(false);
  const token = setup.state === 'ready' ? setup.value.token : null;
  const apiToken = setup.state === 'ready' ? setup.value.apiToken : null;

  const current = status?.port ?? null;
  const [portText, setPortText] = useState('');
  const [portError, setPortError] = useState<string | undefined>(undefined);
  const [moving, setMoving] = useState<string | null>(null);
  useEffect(() => {
    if (current !== null) setPortText(String(current));
  }, [current]);

  const [tokenError, setTokenError] = useState<string | undefined>(undefined);
  const [rotating, setRotating] = useState(false);

  const applyPort = (): void => {
    const port = parsePort(portText);
    if (port === null) {
      setPortError('a port is a whole number 0–65535 (0 = any free one)');
      return;
    }
    if (token === null || (port === current && port !== 0)) return;
    setMoving('moving…');
    setPortError(undefined);
    void api.call('gateway.setPort', { port }).then((r) => {
      if (!r.ok) {
        setMoving(null);
        setPortError(r.error.message);
        return;
      }
      setPortText(String(r.value.port));
      onSaved?.('port');
      setMoving(followGateway(r.value.port, token) ? `reopening at ${r.value.url}…` : null);
    });
  };

  const rotate = (): void => {
    const ok = confirm(
      'Rotate the local and API tokens? The old ones stop working at once: API clients that send the API token and other open dashboards need the new ones.',
    );
    if (!ok) return;
    setRotating(true);
    setTokenError(undefined);
    void api.call('token.rotate', {}).then((r) => {
      setRotating(false);
      if (!r.ok) {
        setTokenError(r.error.message);
        return;
      }
      reloadSetup();
      onSaved?.('new tokens');
    });
  };

  const portHint =
    moving ??
    (status === null
      ? ''
      : `${status.url} · kept for the next start unless SLUICE_PORT or --port is given · 0 = any free port`);
  const unchanged = current !== null && portText.trim() === String(current);
  return (
    <section className="panel gateway" aria-labelledby="s-gateway">
      <h2 id="s-gateway">Gateway</h2>
      <SettingRow label="port" hint={portHint} error={portError}>
        <input
          className="input num short"
          inputMode="numeric"
          value={portText}
          aria-label="port"
          disabled={current === null || moving !== null}
          onChange={(e) => {
            setPortText(e.target.value);
            setPortError(undefined);
          }}
          onKeyDown={(e) => {
            if (e.key === 'Enter') applyPort();
            if (e.key === 'Escape') {
              setPortText(current === null ? '' : String(current));
              setPortError(undefined);
            }
          }}
        />
        <button
          type="button"
          className="btn btn-small"
          onClick={applyPort}
          disabled={token === null || moving !== null || (unchanged && portText.trim() !== '0')}
        >
          Apply
        </button>
      </SettingRow>
      <SettingRow
        label="local token"
        hint="opens this dashboard and the control API: keep it to yourself, never give it to a tool"
        error={tokenError}
      >
        <span className="mono token">
          {token === null ? '…' : reveal ? token : `${token.slice(0, 4)}${'•'.repeat(8)}`}
        </span>
        <button
          type="button"
          className="btn btn-small"
          onClick={() => setReveal(!reveal)}
          disabled={token === null}
        >
          {reveal ? 'Hide' : 'Reveal'}
        </button>
        {token !== null && <CopyButton text={token} />}
        <button
          type="button"
          className="btn btn-small"
          onClick={rotate}
          disabled={token === null || rotating}
          title="Make new local and API tokens; the old ones stop working at once"
        >
          Rotate
        </button>
      </SettingRow>
      <SettingRow
        label="API token"
        hint="what API clients send as their API key when the token is required (Setup writes this one); it opens no setting"
      >
        <span className="mono token" data-testid="api-token">
          {apiToken === null ? '…' : revealApi ? apiToken : `${apiToken.slice(0, 4)}${'•'.repeat(8)}`}
        </span>
        <button
          type="button"
          className="btn btn-small"
          onClick={() => setRevealApi(!revealApi)}
          disabled={apiToken === null}
          aria-label={revealApi ? 'Hide the API token' : 'Show the API token'}
        >
          {revealApi ? 'Hide' : 'Reveal'}
        </button>
        {apiToken !== null && <CopyButton text={apiToken} />}
      </SettingRow>
      {children}
      <SettingRow
        label="data folder"
        hint={
          status?.keyVault === 'os-keychain' ? 'keys sealed by the OS keychain' : 'keys sealed by a key file'
        }
      >
        <span className="mono">{status?.dataDir ?? '…'}</span>
      </SettingRow>
    </section>
  );
}
