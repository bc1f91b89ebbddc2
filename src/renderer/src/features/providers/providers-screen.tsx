import { useEffect, useRef, useState, type DragEvent, type JSX } from 'react';
import type { ProviderView } from '../../../../shared/ipc-contract';
import { api } from '../../api';
import { EmptyState } from '../../components/empty-state';
import { ErrorNote } from '../../components/error-note';
import { RoutesSection } from '../routes/routes-section';
import { ProviderEditor } from './provider-editor';
import { emptyForm, formFrom, moveItem, toInput } from './provider-form-model';
import { ProviderRow, type TestState } from './provider-row';

type Editing = { kind: 'new' } | { kind: 'edit'; p: ProviderView } | null;
const REFRESH_MS = 5_000;

/** Providers: add, edit, enable, reorder by drag (priority), health, test. */
export function ProvidersScreen(): JSX.Element {
  const [list, setList] = useState<ProviderView[] | null>(null);
  const [fetchedAt, setFetchedAt] = useState(0);
  const [error, setError] = useState<string | null>(null);
  const [editing, setEditing] = useState<Editing>(null);
  const [tests, setTests] = useState<Record<string, TestState>>({});
  const [dragFrom, setDragFrom] = useState<number | null>(null);
  const [dragOver, setDragOver] = useState<number | null>(null);
  const dragging = useRef(false);
  /**
   * Counts the list's local changes (reorders): an answer sent before the latest one is shown would put
   * back an order the user has already left, and the next move would build on it.
   */
  const changes = useRef(0);

  const show = (ps: ProviderView[]): void => {
    setList(ps);
    setFetchedAt(Date.now());
  };
  const load = (): void => {
    const asOf = changes.current;
    void api.call('providers.list', {}).then((r) => {
      if (dragging.current || asOf !== changes.current) return;
      if (r.ok) {
        show(r.value);
        setError(null);
      } else setError(r.error.message);
    });
  };
  useEffect(() => {
    load();
    // Health (circuit state, cooldowns) changes on its own; keep it fresh.
    const t = setInterval(load, REFRESH_MS);
    return () => clearInterval(t);
  }, []);

  const report = (r: { ok: false; error: { message: string } } | { ok: true }): void =>
    setError(r.ok ? null : r.error.message);

  const reorder = (from: number, to: number): void => {
    if (list === null || from === to || to < 0 || to >= list.length) return;
    const next = moveItem(list, from, to);
    setList(next);
    const mine = ++changes.current;
    void api.call('providers.reorder', { ids: next.map((p) => p.id) }).then((r) => {
      if (mine !== changes.current) return;
      report(r);
      if (r.ok) show(r.value);
      else load();
    });
  };
  const toggle = (p: ProviderView): void => {
    const r = toInput({ ...formFrom(p), enabled: !p.enabled }, p, p.priority);
    if (!r.ok) return setError(Object.values(r.errors).join('; '));
    void api.call('providers.save', { provider: r.input }).then((res) => {
      report(res);
      load();
    });
  };
  const test = (p: ProviderView): void => {
    setTests((t) => ({ ...t, [p.id]: { state: 'running' } }));
    void api.call('providers.test', { id: p.id }).then((r) => {
      setTests((t) => ({
        ...t,
        [p.id]: r.ok
          ? { state: 'done', result: r.value }
          : { state: 'done', result: { ok: false, status: null, latencyMs: 0, message: r.error.message } },
      }));
      load();
    });
  };
  const reset = (p: ProviderView): void =>
    void api.call('providers.resetHealth', { id: p.id }).then(() => load());
  const remove = (p: ProviderView): void => {
    if (!confirm(`Remove provider “${p.id}”? Its saved key is deleted too.`)) return;
    void api.call('providers.remove', { id: p.id }).then((r) => {
      report(r);
      load();
    });
  };

  const drag = {
    start: (e: DragEvent, i: number): void => {
      dragging.current = true;
      setDragFrom(i);
      e.dataTransfer.effectAllowed = 'move';
      e.dataTransfer.setData('text/plain', String(i));
    },
    over: (e: DragEvent, i: number): void => {
      if (dragFrom === null) return;
      e.preventDefault();
      setDragOver(i);
    },
    drop: (e: DragEvent, i: number): void => {
      e.preventDefault();
      if (dragFrom !== null) reorder(dragFrom, i);
      drag.end();
    },
    end: (): void => {
      dragging.current = false;
      setDragFrom(null);
      setDragOver(null);
    },
  };

  const nextPriority = list === null || list.length === 0 ? 1 : Math.max(...list.map((p) => p.priority)) + 1;
  return (
    <section className="screen providers" aria-label="Providers">
      <div className="toolbar">
        <button
          type="button"
          className="btn btn-primary btn-small"
          onClick={() => setEditing({ kind: 'new' })}
        >
          Add provider
        </button>
        <span className="muted">
          Tried top to bottom; drag (or Alt+↑/↓) to change priority. Changes apply to the next request.
        </span>
      </div>
      <div className="providers-scroll">
        {error !== null && <ErrorNote message={error} onRetry={load} />}
        {editing !== null && (
          <ProviderEditor
            key={editing.kind === 'edit' ? editing.p.id : 'new'}
            initial={editing.kind === 'edit' ? formFrom(editing.p) : emptyForm()}
            existing={editing.kind === 'edit' ? editing.p : null}
            nextPriority={nextPriority}
            onSaved={() => {
              setEditing(null);
              load();
            }}
            onCancel={() => setEditing(null)}
          />
        )}
        {list !== null && list.length === 0 && editing === null && (
          <EmptyState title="No providers yet">
            <p>
              Sluice forwards each request to the first healthy provider that serves its format (Anthropic,
              OpenAI, Gemini) and fails over to the next before the first byte. Add one with its base URL and,
              optionally, a key (without one, your tool’s own key passes through).
            </p>
            <button type="button" className="btn btn-primary" onClick={() => setEditing({ kind: 'new' })}>
              Add your first provider
            </button>
          </EmptyState>
        )}
        {list !== null && list.some((p) => p.builtin) && (
          <p className="muted builtin-note" data-testid="builtin-note">
            Rows marked <span className="chip chip-idle">default</span> are built in: with no provider of that
            kind configured, its requests go to the vendor’s official endpoint with your tool’s own
            credentials. Add a provider of the kind to replace one, or switch it off.
          </p>
        )}
        {list !== null && list.length > 0 && (
          <ol className="plist" aria-label="Providers by priority">
            {list.map((p, i) => (
              <ProviderRow
                key={p.id}
                p={p}
                index={i}
                fetchedAt={fetchedAt}
                test={tests[p.id]}
                dragOver={dragOver === i && dragFrom !== i}
                onToggle={toggle}
                onEdit={(x) => setEditing({ kind: 'edit', p: x })}
                onTest={test}
                onReset={reset}
                onRemove={remove}
                onMove={reorder}
                drag={drag}
              />
            ))}
          </ol>
        )}
        {list !== null && <RoutesSection providers={list} />}
      </div>
    </section>
  );
}
