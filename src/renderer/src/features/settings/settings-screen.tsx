import { useEffect, useState, type JSX } from 'react';
import type { Settings, SmoothingSettings } from '../../../../shared/settings';
import { api } from '../../api';
import { ErrorNote } from '../../components/error-note';
import { useCall } from '../../lib/use-call';
import { GatewaySection } from './gateway-section';
import { ListSetting, NumberSetting, SettingRow, ToggleSetting } from './setting-fields';
import { SmoothingPreview } from './smoothing-preview';

type NumKey = { [K in keyof Settings]-?: Settings[K] extends number ? K : never }[keyof Settings];
type BoolKey = { [K in keyof Settings]-?: Settings[K] extends boolean ? K : never }[keyof Settings];

/** Smoothing with a live preview; timeouts; gateway port and token; retention; captures. */
export function SettingsScreen(): JSX.Element {
  const [loaded, reload] = useCall('settings.get', {});
  const [settings, setSettings] = useState<Settings | null>(null);
  const [errors, setErrors] = useState<Record<string, string>>({});
  const [saved, setSaved] = useState<string | null>(null);
  useEffect(() => {
    if (loaded.state === 'ready') setSettings(loaded.value);
  }, [loaded]);
  useEffect(() => {
    if (saved === null) return;
    const t = setTimeout(() => setSaved(null), 2_500);
    return () => clearTimeout(t);
  }, [saved]);

  if (loaded.state === 'failed') return <ErrorNote message={loaded.message} onRetry={reload} />;
  if (settings === null) return <section className="screen" aria-busy="true" />;

  const update = (key: string, patch: Record<string, unknown>): void => {
    void api.call('settings.update', { patch }).then((r) => {
      if (r.ok) {
        setSettings(r.value);
        setErrors(({ [key]: _gone, ...rest }) => rest);
        setSaved(key);
      } else setErrors((e) => ({ ...e, [key]: r.error.message }));
    });
  };
  const num = (
    key: NumKey,
    label: string,
    unit: 'ms' | 'bytes' | 'days' | '',
    hint?: string,
  ): JSX.Element => (
    <NumberSetting
      label={label}
      value={settings[key]}
      unit={unit}
      error={errors[key]}
      {...(hint !== undefined ? { hint } : {})}
      onCommit={(v) => update(key, { [key]: v })}
    />
  );
  const bool = (key: BoolKey, label: string, hint?: string): JSX.Element => (
    <ToggleSetting
      label={label}
      value={settings[key]}
      error={errors[key]}
      {...(hint !== undefined ? { hint } : {})}
      onCommit={(v) => update(key, { [key]: v })}
    />
  );
  const sm = settings.smoothing;
  const setSm = <K extends keyof SmoothingSettings>(k: K, v: SmoothingSettings[K]): void => {
    setSettings({ ...settings, smoothing: { ...sm, [k]: v } });
    update(`smoothing.${k}`, { smoothing: { [k]: v } });
  };

  return (
    <section className="screen settings" aria-label="Settings">
      <div className="toolbar">
        <span className="muted">Every change is saved at once and applies to the next request.</span>
        <span className="spacer" />
        <span className={`saved${saved !== null ? ' is-on' : ''}`} role="status" aria-live="polite">
          {saved !== null ? `Saved ${saved}` : ''}
        </span>
      </div>
      <div className="settings-scroll">
        <section className="panel" aria-labelledby="s-smoothing">
          <h2 id="s-smoothing">Smoothing</h2>
          <div className="smoothing-grid">
            <div>
              <ToggleSetting
                label="enabled"
                value={sm.enabled}
                error={errors['smoothing.enabled']}
                hint="re-pace bursty text deltas into steady pieces"
                onCommit={(v) => setSm('enabled', v)}
              />
              <SettingRow
                label="mode"
                error={errors['smoothing.mode']}
                hint={
                  sm.mode === 'adaptive'
                    ? 'spread over the upstream’s own pace'
                    : 'a fixed pause between pieces'
                }
              >
                <span className="seg">
                  {(['adaptive', 'fixed'] as const).map((m) => (
                    <button
                      key={m}
                      type="button"
                      className={`seg-btn${sm.mode === m ? ' is-on' : ''}`}
                      aria-pressed={sm.mode === m}
                      onClick={() => setSm('mode', m)}
                    >
                      {m}
                    </button>
                  ))}
                </span>
              </SettingRow>
              <NumberSetting
                label="chunk size"
                unit="chars"
                value={sm.chunkChars}
                error={errors['smoothing.chunkChars']}
                hint="largest piece, in characters"
                onCommit={(v) => setSm('chunkChars', v)}
              />
              <NumberSetting
                label="delay"
                unit="ms"
                value={sm.delayMs}
                error={errors['smoothing.delayMs']}
                hint="fixed mode: pause between pieces"
                onCommit={(v) => setSm('delayMs', v)}
              />
              <NumberSetting
                label="max lag"
                unit="ms"
                value={sm.maxLagMs}
                error={errors['smoothing.maxLagMs']}
                hint="adaptive mode: never further behind the upstream"
                onCommit={(v) => setSm('maxLagMs', v)}
              />
            </div>
            <SmoothingPreview s={sm} />
          </div>
        </section>
        <section className="panel" aria-labelledby="s-timeouts">
          <h2 id="s-timeouts">Timeouts</h2>
          {num('connectTimeoutMs', 'connect', 'ms', 'TCP + TLS to a provider')}
          {num('firstByteTimeoutMs', 'first byte', 'ms', 'no body byte by then → next provider')}
          {num('idleTimeoutMs', 'idle', 'ms', 'longest silence once a stream flows')}
          {num('prefetchMaxMs', 'prefetch time', 'ms', 'hold a 2xx stream this long for its first content')}
          {num('prefetchMaxBytes', 'prefetch bytes', 'bytes', '…or this many bytes, then commit')}
          {num('maxAttempts', 'attempts per request', '', 'across providers and retries')}
          {num(
            'affinityTtlMs',
            'session affinity',
            'ms',
            'a conversation stays on the provider of its last turn this long after it; 0 = off',
          )}
        </section>
        <GatewaySection onSaved={setSaved}>
          {bool(
            'requireLocalToken',
            'require token',
            'API clients must send the API token (not the local one) as their API key',
          )}
          <ListSetting
            label="allowed origins"
            value={settings.allowedOrigins}
            error={errors.allowedOrigins}
            placeholder="https://app.example"
            hint="browser pages allowed to call the API (CORS), one a line"
            onCommit={(v) => update('allowedOrigins', { allowedOrigins: v })}
          />
        </GatewaySection>
        <section className="panel" aria-labelledby="s-retention">
          <h2 id="s-retention">Retention</h2>
          {num('retentionDays', 'request rows', 'days', 'older rows (with their attempts) are deleted')}
          {num('captureRetentionDays', 'captures', 'days', 'older captured frames and bodies are deleted')}
        </section>
        <section className="panel" aria-labelledby="s-captures">
          <h2 id="s-captures">Captures</h2>
          {bool(
            'captureFrames',
            'response frames',
            'keep raw SSE frames with their offsets, for the inspector',
          )}
          {bool(
            'captureRequestBodies',
            'request bodies',
            'they hold your prompts and code; kept locally, redacted when shown',
          )}
          {num('captureMaxBytesPerRequest', 'per request', 'bytes', 'later frames are counted, not kept')}
          {num('captureMaxTotalBytes', 'all captures', 'bytes', 'beyond it the oldest captures go first')}
        </section>
      </div>
    </section>
  );
}
