import type { DragEvent, JSX, KeyboardEvent } from 'react';
import type { ProviderTestResult, ProviderView } from '../../../../shared/ipc-contract';
import { USER_AGENT_PRESET_INFO, userAgentHeaders } from '../../../../shared/user-agents';
import { formatMs } from '../../lib/format';
import { useNow } from '../../lib/use-now';
import { customFormats } from './provider-form-model';
import { KeyPoolTable } from './key-pool-table';

export type TestState = { state: 'running' } | { state: 'done'; result: ProviderTestResult } | undefined;

interface Props {
  p: ProviderView;
  index: number;
  /** When the list was fetched (epoch ms): cooldowns count down from it. */
  fetchedAt: number;
  test: TestState;
  dragOver: boolean;
  onToggle: (p: ProviderView) => void;
  onEdit: (p: ProviderView) => void;
  onTest: (p: ProviderView) => void;
  onReset: (p: ProviderView) => void;
  onRemove: (p: ProviderView) => void;
  onMove: (from: number, to: number) => void;
  drag: {
    start: (e: DragEvent, index: number) => void;
    over: (e: DragEvent, index: number) => void;
    drop: (e: DragEvent, index: number) => void;
    end: () => void;
  };
}

function Health({ p, fetchedAt }: { p: ProviderView; fetchedAt: number }): JSX.Element {
  const h = p.health;
  const counting = h.cooldownForMs > 0 || h.openForMs > 0;
  const now = useNow(counting);
  const left = Math.max(0, Math.max(h.cooldownForMs, h.openForMs) - (counting ? now - fetchedAt : 0));
  const chip = h.state === 'closed' ? 'done' : h.state === 'open' ? 'failed' : 'waiting';
  return (
    <span className="health">
      <span
        className={`chip chip-${chip}`}
        title="closed: requests flow · open: skipped after failures · half-open: one probe request allowed"
      >
        {h.state}
      </span>
      {left > 0 && <span className="num muted"> {formatMs(left)} left</span>}
      {h.credentialsProblem !== null && <span className="health-err"> {h.credentialsProblem}</span>}
      {h.lastError !== null && (
        <span className="health-err" title={h.lastError}>
          {' '}
          {h.lastError}
        </span>
      )}
      {h.samples > 0 && (
        <span className="num muted" title="failures / recent outcomes">
          {' '}
          {h.failures}/{h.samples}
        </span>
      )}
    </span>
  );
}

/** A small chip naming the User-Agent this provider is sent, when it has one; the exact string on hover. */
function UserAgentChip({ p }: { p: ProviderView }): JSX.Element | null {
  if (p.userAgent === undefined) return null;
  const label = typeof p.userAgent === 'string' ? USER_AGENT_PRESET_INFO[p.userAgent].label : 'custom UA';
  const sent = Object.entries(userAgentHeaders(p.userAgent))
    .map(([name, value]) => `${name}: ${value}`)
    .join('\n');
  return (
    <span className="chip chip-idle" title={sent} data-testid="user-agent-chip">
      {label}
    </span>
  );
}

/** The formats this provider accepts, when they are not its kind's default (the first is translated to). */
function FormatsChip({ p }: { p: ProviderView }): JSX.Element | null {
  const formats = customFormats(p);
  if (formats === null) return null;
  return (
    <span
      className="chip chip-idle mono"
      title={`Accepts ${formats.join(', ')}; other formats are translated to ${formats[0] ?? ''}`}
      data-testid="formats-chip"
    >
      {formats.join(' · ')}
    </span>
  );
}

/** One provider: drag handle (or Alt+↑/↓), enable, what it is, its key preview, health, actions. */
export function ProviderRow(props: Props): JSX.Element {
  const { p, index, test } = props;
  const onKey = (e: KeyboardEvent): void => {
    if (!e.altKey || (e.key !== 'ArrowUp' && e.key !== 'ArrowDown')) return;
    props.onMove(index, index + (e.key === 'ArrowUp' ? -1 : 1));
    e.preventDefault();
  };
  return (
    <li
      className={`prow${props.dragOver ? ' is-dragover' : ''}${p.enabled ? '' : ' is-disabled'}`}
      data-provider={p.id}
      draggable
      tabIndex={0}
      aria-label={`${p.id}, priority ${index + 1}; Alt+Up/Down to reorder`}
      onKeyDown={onKey}
      onDragStart={(e) => props.drag.start(e, index)}
      onDragOver={(e) => props.drag.over(e, index)}
      onDrop={(e) => props.drag.drop(e, index)}
      onDragEnd={props.drag.end}
    >
      <span className="grip" aria-hidden="true" title="Drag to reorder" />
      <span className="num prio">{index + 1}</span>
      <label className="switch" title={p.enabled ? 'Enabled' : 'Disabled'}>
        <input
          type="checkbox"
          checked={p.enabled}
          onChange={() => props.onToggle(p)}
          aria-label={`Enable ${p.id}`}
        />
      </label>
      <span className="p-id mono">{p.id}</span>
      <span className="p-kind">{p.kind}</span>
      <span className="p-url mono muted" title={p.baseUrl}>
        {p.builtin && (
          <span
            className="chip chip-idle"
            data-testid="builtin-chip"
            title="Built in: no provider of this kind is configured, so its requests go to the vendor's official endpoint with your tool's own credentials. Switch it off, or add a provider of this kind to replace it."
          >
            default
          </span>
        )}
        <FormatsChip p={p} />
        <UserAgentChip p={p} />
        {p.baseUrl}
      </span>
      <span className="p-key mono">
        {p.hasKey ? p.keyPreview : p.keys.length > 0 ? '' : <span className="muted">client’s key</span>}
        {p.keys.length > 1 && <span className="muted"> +{p.keys.length - (p.hasKey ? 1 : 0)} pool</span>}
      </span>
      <Health p={p} fetchedAt={props.fetchedAt} />
      <span className="p-actions">
        <button
          type="button"
          className="btn btn-small"
          onClick={() => props.onTest(p)}
          disabled={test?.state === 'running'}
        >
          {test?.state === 'running' ? 'Testing…' : 'Test'}
        </button>
        {(p.health.state !== 'closed' || p.keys.some((k) => k.unusableForMs > 0)) && (
          <button type="button" className="btn btn-small" onClick={() => props.onReset(p)}>
            Reset
          </button>
        )}
        <button type="button" className="btn btn-small" onClick={() => props.onEdit(p)}>
          Edit
        </button>
        {!p.builtin && (
          <button type="button" className="btn btn-small btn-danger" onClick={() => props.onRemove(p)}>
            Remove
          </button>
        )}
      </span>
      {test?.state === 'done' && (
        <span className={`p-test ${test.result.ok ? 'ok' : 'bad'}`} role="status">
          {test.result.ok ? '✓' : '✗'} {test.result.status ?? 'no answer'} · {formatMs(test.result.latencyMs)}{' '}
          · {test.result.message}
        </span>
      )}
      <KeyPoolTable keys={p.keys} fetchedAt={props.fetchedAt} />
    </li>
  );
}
