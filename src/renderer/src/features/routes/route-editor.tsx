import { useState, type JSX } from 'react';
import type { RouteConfig } from '../../../../shared/config';
import type { ProviderView } from '../../../../shared/ipc-contract';
import { draftFrom, moveItem, routeFrom, type RouteDraft } from './routes-model';
import { useDragList } from './use-drag-list';

interface Props {
  initial: RouteConfig | null;
  providers: readonly ProviderView[];
  /** Saves the route; resolves to an error message (the server's, naming the field) or null. */
  onSave: (route: RouteConfig) => Promise<string | null>;
  onCancel: () => void;
}

/** Adds or edits one route: its model globs, its providers in order (add, remove, drag or Alt+↑/↓), balance. */
export function RouteEditor(props: Props): JSX.Element {
  const [d, setDraft] = useState<RouteDraft>(() => draftFrom(props.initial));
  const [errors, setErrors] = useState<{ globs?: string; providers?: string; server?: string }>({});
  /** An edit clears what was said about the draft before it. */
  const setD = (next: RouteDraft): void => {
    setDraft(next);
    setErrors({});
  };
  const [busy, setBusy] = useState(false);
  const moveProvider = (from: number, to: number): void => {
    if (to < 0 || to >= d.providers.length) return;
    setD({ ...d, providers: moveItem(d.providers, from, to) });
  };
  const list = useDragList('editor-providers', moveProvider);
  const addable = props.providers.filter((p) => !d.providers.includes(p.id));

  const save = (): void => {
    const r = routeFrom(d);
    if (!r.ok) return setErrors({ [r.field]: r.message });
    setBusy(true);
    void props.onSave(r.route).then((message) => {
      setBusy(false);
      setErrors(message === null ? {} : { server: message });
    });
  };

  return (
    <form
      className="editor route-editor"
      aria-label={props.initial === null ? 'New route' : 'Edit route'}
      onSubmit={(e) => {
        e.preventDefault();
        save();
      }}
      onKeyDown={(e) => {
        if (e.key === 'Escape') {
          e.preventDefault();
          props.onCancel();
        }
      }}
    >
      <div className="form-grid">
        <label className={`field${errors.globs !== undefined ? ' has-error' : ''}`}>
          <span className="field-label">Models (names or * globs, comma separated)</span>
          <input
            className="input mono"
            name="globs"
            autoFocus
            value={d.globs}
            placeholder="claude-haiku-*, deepseek-chat"
            onChange={(e) => setD({ ...d, globs: e.target.value })}
          />
          <span className={errors.globs !== undefined ? 'field-error' : 'field-hint'}>
            {errors.globs ?? 'The first route whose globs match a request’s model decides its providers.'}
          </span>
        </label>
        <label className="field">
          <span className="field-label">Balance</span>
          <select
            className="input"
            name="balance"
            value={d.balance}
            onChange={(e) => setD({ ...d, balance: e.target.value === 'weighted' ? 'weighted' : 'order' })}
          >
            <option value="order">In order (the next on failure)</option>
            <option value="weighted">By weight (shared by each provider’s weight)</option>
          </select>
        </label>
      </div>
      <div className={`field route-providers${errors.providers !== undefined ? ' has-error' : ''}`}>
        <span className="field-label">Providers, tried in this order (drag or Alt+↑/↓)</span>
        <ol className="r-edit-provs" aria-label="Providers of this route">
          {d.providers.map((id, i) => (
            <li
              key={id}
              className={`r-edit-prov${list.over === i && list.from !== i ? ' is-dragover' : ''}`}
              data-editor-provider={id}
              tabIndex={0}
              aria-label={`${id}, place ${i + 1}; Alt+Up/Down to reorder`}
              {...list.row(i)}
            >
              <span className="grip" aria-hidden="true" />
              <span className="num muted">{i + 1}</span>
              <span className="mono">{id}</span>
              {props.providers.find((p) => p.id === id) === undefined && (
                <span className="field-error">no such provider</span>
              )}
              <button
                type="button"
                className="btn btn-small"
                aria-label={`Take ${id} out of the route`}
                onClick={() => setD({ ...d, providers: d.providers.filter((p) => p !== id) })}
              >
                ✕
              </button>
            </li>
          ))}
        </ol>
        {addable.length > 0 && (
          <select
            className="input r-add"
            aria-label="Add a provider"
            value=""
            onChange={(e) => {
              if (e.target.value !== '') setD({ ...d, providers: [...d.providers, e.target.value] });
            }}
          >
            <option value="">Add a provider…</option>
            {addable.map((p) => (
              <option key={p.id} value={p.id}>
                {p.id} ({p.kind}){p.enabled ? '' : ' — disabled'}
              </option>
            ))}
          </select>
        )}
        {errors.providers !== undefined && <span className="field-error">{errors.providers}</span>}
      </div>
      {errors.server !== undefined && (
        <p className="field-error" role="alert">
          {errors.server}
        </p>
      )}
      <div className="toolbar-inline">
        <button type="submit" className="btn btn-primary btn-small" disabled={busy}>
          Save route
        </button>
        <button type="button" className="btn btn-small" onClick={props.onCancel}>
          Cancel
        </button>
      </div>
    </form>
  );
}
