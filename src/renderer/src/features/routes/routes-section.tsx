import { useCallback, useEffect, useRef, useState, type JSX } from 'react';
import type { RouteConfig } from '../../../../shared/config';
import type { ProviderView } from '../../../../shared/ipc-contract';
import { api } from '../../api';
import { ErrorNote } from '../../components/error-note';
import { RouteEditor } from './route-editor';
import { RouteRow } from './route-row';
import { RouteTester } from './route-tester';
import { messageFor, moveItem } from './routes-model';
import { SlotsPanel } from './slots-panel';
import { useDragList } from './use-drag-list';
import './routes.css';

/** Keys that follow a route when it moves (so Alt+↑/↓ keeps its focus): its globs, numbered when repeated. */
function routeKeys(routes: readonly RouteConfig[]): string[] {
  const seen = new Map<string, number>();
  return routes.map((r) => {
    const k = r.models.join(',');
    const n = seen.get(k) ?? 0;
    seen.set(k, n + 1);
    return `${k}#${n}`;
  });
}

type Editing = { kind: 'new' } | { kind: 'edit'; index: number } | null;

/**
 * Routes, on the Providers screen: which providers serve which models. Every change (add, edit, delete,
 * reorder) is saved at once, validated by the gateway, and applies to the next request.
 */
export function RoutesSection({ providers }: { providers: readonly ProviderView[] }): JSX.Element {
  const [routes, setRoutes] = useState<RouteConfig[] | null>(null);
  const [version, setVersion] = useState(0);
  const [error, setError] = useState<string | null>(null);
  const [editing, setEditing] = useState<Editing>(null);
  const [hit, setHit] = useState<number | null>(null);

  const load = useCallback((): void => {
    void api.call('routes.get', {}).then((r) => {
      if (r.ok) {
        setRoutes([...r.value]);
        setError(null);
      } else setError(r.error.message);
    });
  }, []);
  useEffect(load, [load]);

  /**
   * Numbers the saves: only the latest one's answer may set the list. Quick moves (Alt+↓ then Alt+↑)
   * send two saves; the first one's answer can arrive after the second move was shown, and taking it
   * then would put back the order the user has already left (and the next move would build on it).
   */
  const saves = useRef(0);
  /** Saves the whole list; resolves to the server's message when it refuses (nothing changes then). */
  const save = async (next: RouteConfig[]): Promise<string | null> => {
    const mine = ++saves.current;
    const r = await api.call('routes.save', { routes: next });
    if (!r.ok) return r.error.message;
    if (mine !== saves.current) return null;
    setRoutes([...r.value]);
    setVersion((v) => v + 1);
    setError(null);
    return null;
  };
  const saveShowingError = (next: RouteConfig[]): void => {
    const before = routes;
    setRoutes(next);
    const mine = saves.current + 1;
    void save(next).then((message) => {
      // A refusal puts back the list as it was, unless a later change has been shown since.
      if (message === null || mine !== saves.current) return;
      setError(message);
      setRoutes(before);
    });
  };
  const move = (from: number, to: number): void => {
    if (routes === null || to < 0 || to >= routes.length) return;
    saveShowingError(moveItem(routes, from, to));
  };
  const list = useDragList('routes', move);
  const keys = routeKeys(routes ?? []);

  return (
    <section className="routes" aria-label="Routes">
      <header className="routes-head">
        <h2>Routes</h2>
        <button
          type="button"
          className="btn btn-small"
          onClick={() => setEditing({ kind: 'new' })}
          disabled={editing !== null}
        >
          Add route
        </button>
        <span className="muted">
          A request’s model picks the first matching route, whose providers it tries in order; no match → all
          providers by priority. Drag (or Alt+↑/↓) routes and their providers.
        </span>
      </header>
      {error !== null && <ErrorNote message={error} onRetry={load} />}
      <RouteTester version={version} onHit={setHit} />
      {editing !== null && routes !== null && (
        <RouteEditor
          key={editing.kind === 'edit' ? `edit-${editing.index}` : 'new'}
          initial={editing.kind === 'edit' ? (routes[editing.index] ?? null) : null}
          providers={providers}
          onCancel={() => setEditing(null)}
          onSave={async (route) => {
            const index = editing.kind === 'edit' ? editing.index : routes.length;
            const next =
              editing.kind === 'edit'
                ? routes.map((r, i) => (i === editing.index ? route : r))
                : [...routes, route];
            const message = await save(next);
            if (message === null) setEditing(null);
            return message === null ? null : messageFor(message, index);
          }}
        />
      )}
      {routes !== null && routes.length === 0 && editing === null && (
        <p className="muted routes-empty">
          No routes: every request goes to the providers of its format, by priority. Add a route to send, say,{' '}
          <code>claude-haiku-*</code> to a cheaper provider.
        </p>
      )}
      {routes !== null && routes.length > 0 && (
        <ol className="rlist" aria-label="Routes, first match wins">
          {routes.map((r, i) => (
            <RouteRow
              key={keys[i]}
              route={r}
              index={i}
              providers={providers}
              hit={hit === i}
              dragOver={list.over === i && list.from !== i}
              drag={list.row(i)}
              onProviders={(ids) =>
                saveShowingError(routes.map((x, j) => (j === i ? { ...x, providers: ids } : x)))
              }
              onEdit={() => setEditing({ kind: 'edit', index: i })}
              onRemove={() => {
                if (confirm(`Delete route ${i + 1} (${r.models.join(', ')})?`))
                  saveShowingError(routes.filter((_, j) => j !== i));
              }}
            />
          ))}
        </ol>
      )}
      {routes !== null && (
        <SlotsPanel
          providers={providers}
          version={version}
          onAddRoute={(route) => save([route, ...routes])}
        />
      )}
    </section>
  );
}
