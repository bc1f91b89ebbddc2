import { useEffect, useState, type JSX } from 'react';
import {
  CLAUDE_CODE_SLOTS,
  SLOT_VARIABLES,
  type ClaudeCodeSlot,
  type ClaudeCodeSlots,
} from '../../../../shared/claude-code-slots';
import type { RouteConfig } from '../../../../shared/config';
import type { ProviderView } from '../../../../shared/ipc-contract';
import type { RouteTest } from '../../../../shared/routes-view';
import { api } from '../../api';

type SlotForm = Record<ClaudeCodeSlot, { model: string; window: string }>;

function formFrom(slots: ClaudeCodeSlots): SlotForm {
  return Object.fromEntries(
    CLAUDE_CODE_SLOTS.map((s) => [
      s,
      { model: slots[s]?.model ?? '', window: String(slots[s]?.contextWindowTokens ?? '') },
    ]),
  ) as SlotForm;
}

function slotsFrom(f: SlotForm): ClaudeCodeSlots {
  const out: ClaudeCodeSlots = {};
  for (const s of CLAUDE_CODE_SLOTS) {
    const model = f[s].model.trim();
    if (model === '') continue;
    const w = f[s].window.trim();
    out[s] = { model, ...(w === '' ? {} : { contextWindowTokens: Number(w) }) };
  }
  return out;
}

/** Where a slot's model goes now: the route it hits (by the gateway's own matcher), or the default chain. */
function SlotRoute(props: {
  model: string;
  version: number;
  providers: readonly ProviderView[];
  onAddRoute: (route: RouteConfig) => Promise<string | null>;
}): JSX.Element | null {
  const [test, setTest] = useState<RouteTest | null>(null);
  const [pick, setPick] = useState('');
  const [message, setMessage] = useState<string | null>(null);
  const model = props.model.trim();
  useEffect(() => {
    if (model === '') return setTest(null);
    let live = true;
    void api.call('routes.test', { model, format: 'anthropic' }).then((r) => {
      if (live) setTest(r.ok ? r.value : null);
    });
    return () => {
      live = false;
    };
  }, [model, props.version]);
  if (model === '' || test === null) return null;
  if (test.route !== null)
    return (
      <span className="muted slot-route">
        route {test.route.index + 1} →{' '}
        {test.chain
          .filter((c) => c.status === 'candidate')
          .map((c) => c.provider)
          .join(', ') || 'nothing'}
      </span>
    );
  return (
    <span className="slot-route">
      <span className="muted">no route: default chain · </span>
      <select
        className="input"
        aria-label={`Provider for ${model}`}
        value={pick}
        onChange={(e) => setPick(e.target.value)}
      >
        <option value="">route it to…</option>
        {props.providers.map((p) => (
          <option key={p.id} value={p.id}>
            {p.id}
          </option>
        ))}
      </select>
      <button
        type="button"
        className="btn btn-small"
        disabled={pick === ''}
        onClick={() =>
          void props.onAddRoute({ models: [model], providers: [pick] }).then((m) => setMessage(m))
        }
      >
        Add route
      </button>
      {message !== null && <span className="field-error"> {message}</span>}
    </span>
  );
}

/**
 * Claude Code's model slots, saved in Sluice's settings (`claudeCodeSlots`): Apply on the Setup screen
 * or `sluice setup claude-code --apply` writes them into Claude Code's settings. Each slot shows the
 * route its model takes, and offers one (at the top of the list) when it has none.
 */
export function SlotsPanel(props: {
  providers: readonly ProviderView[];
  version: number;
  onAddRoute: (route: RouteConfig) => Promise<string | null>;
}): JSX.Element {
  const [saved, setSaved] = useState<ClaudeCodeSlots | null>(null);
  const [form, setForm] = useState<SlotForm | null>(null);
  const [status, setStatus] = useState<{ ok: boolean; text: string } | null>(null);
  useEffect(() => {
    void api.call('settings.get', {}).then((r) => {
      if (!r.ok) return setStatus({ ok: false, text: r.error.message });
      setSaved(r.value.claudeCodeSlots);
      setForm(formFrom(r.value.claudeCodeSlots));
    });
  }, []);
  if (form === null || saved === null)
    return <div className="slots">{status !== null && <p className="field-error">{status.text}</p>}</div>;
  const changed = JSON.stringify(slotsFrom(form)) !== JSON.stringify(saved);
  const save = (): void => {
    void api.call('settings.update', { patch: { claudeCodeSlots: slotsFrom(form) } }).then((r) => {
      if (!r.ok) return setStatus({ ok: false, text: r.error.message });
      setSaved(r.value.claudeCodeSlots);
      setForm(formFrom(r.value.claudeCodeSlots));
      setStatus({
        ok: true,
        text: 'Saved. Apply Claude Code on the Setup screen (or sluice setup claude-code --apply) to write them.',
      });
    });
  };
  return (
    <form
      className="slots"
      aria-label="Claude Code model slots"
      onSubmit={(e) => {
        e.preventDefault();
        save();
      }}
    >
      <h3>Claude Code model slots</h3>
      <p className="muted slots-hint">
        The model each slot asks for, and its context window when it is not 200 000 tokens (1 000 000 or more:
        written as <code>model[1m]</code>; less: <code>CLAUDE_CODE_AUTO_COMPACT_WINDOW</code>, the smallest,
        for all slots). Empty keeps Claude Code’s own.
      </p>
      <div className="slot-grid">
        {CLAUDE_CODE_SLOTS.map((s) => (
          <div className="slot-row" key={s} data-slot={s}>
            <span className="slot-name" title={SLOT_VARIABLES[s]}>
              {s}
            </span>
            <input
              className="input mono"
              aria-label={`${s} model`}
              placeholder="Claude Code’s own"
              value={form[s].model}
              onChange={(e) => setForm({ ...form, [s]: { ...form[s], model: e.target.value } })}
            />
            <input
              className="input num"
              aria-label={`${s} context window (tokens)`}
              placeholder="200000"
              inputMode="numeric"
              value={form[s].window}
              onChange={(e) => setForm({ ...form, [s]: { ...form[s], window: e.target.value } })}
            />
            <SlotRoute
              model={saved[s]?.model ?? ''}
              version={props.version}
              providers={props.providers}
              onAddRoute={props.onAddRoute}
            />
          </div>
        ))}
      </div>
      <div className="toolbar-inline">
        <button type="submit" className="btn btn-small btn-primary" disabled={!changed}>
          Save slots
        </button>
        {status !== null && (
          <span className={status.ok ? 'muted' : 'field-error'} role="status">
            {status.text}
          </span>
        )}
      </div>
    </form>
  );
}
