import { useState, type JSX, type ReactNode } from 'react';
import { CopyButton } from '../../components/copy-button';
import { useStatus } from '../../lib/status-store';
import { useCall } from '../../lib/use-call';
import { SettingRow } from './setting-fields';

/**
 * Port, local token, data folder: shown here, set at start (`--port`, `<data dir>/token`); `children`
 * are the gateway's own settings (token required, allowed origins).
 */
export function GatewaySection({ children }: { children?: ReactNode }): JSX.Element {
  const { status } = useStatus();
  const [setup] = useCall('setup.get', {});
  const [reveal, setReveal] = useState(false);
  const token = setup.state === 'ready' ? setup.value.token : null;
  return (
    <section className="panel" aria-labelledby="s-gateway">
      <h2 id="s-gateway">Gateway</h2>
      <SettingRow label="port" hint="set at start: --port N (the app uses 8787)">
        <span className="mono">{status?.port ?? '…'}</span>
        <span className="mono muted">{status !== null ? `  ${status.url}` : ''}</span>
      </SettingRow>
      <SettingRow
        label="local token"
        hint="opens this dashboard in a browser; API clients send it when required"
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
