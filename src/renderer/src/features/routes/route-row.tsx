import type { JSX } from 'react';
import type { RouteConfig } from '../../../../shared/config';
import type { ProviderView } from '../../../../shared/ipc-contract';
import { moveItem } from './routes-model';
import { useDragList, type DragRowProps } from './use-drag-list';

interface Props {
  route: RouteConfig;
  index: number;
  providers: readonly ProviderView[];
  /** The route the tester's model hits (highlighted). */
  hit: boolean;
  dragOver: boolean;
  drag: DragRowProps;
  onProviders: (providers: string[]) => void;
  onEdit: () => void;
  onRemove: () => void;
}

/** A provider of a route: its id, its weight when it shares by weight, dimmed when it is off or gone. */
function ProviderChip(props: {
  id: string;
  position: number;
  view: ProviderView | undefined;
  weighted: boolean;
  dragOver: boolean;
  drag: DragRowProps;
}): JSX.Element {
  const { id, view } = props;
  const state = view === undefined ? 'missing' : view.enabled ? 'on' : 'off';
  const weight = view?.weight ?? 1;
  return (
    <li
      className={`rprov rprov-${state}${props.dragOver ? ' is-dragover' : ''}`}
      data-route-provider={id}
      tabIndex={0}
      aria-label={`${id}, place ${props.position + 1}; Alt+Up/Down to reorder`}
      title={
        state === 'missing'
          ? `no provider "${id}"`
          : state === 'off'
            ? `${id} is disabled: skipped`
            : undefined
      }
      {...props.drag}
    >
      <span className="num muted">{props.position + 1}</span> <span className="mono">{id}</span>
      {props.weighted && (
        <span className="num muted" title="weight (set on the provider)">
          {' '}
          ×{weight}
        </span>
      )}
    </li>
  );
}

/** One route: drag handle (or Alt+↑/↓), its model globs, its providers in order (each draggable), actions. */
export function RouteRow(props: Props): JSX.Element {
  const { route, index } = props;
  const inner = useDragList(`route-${index}-providers`, (from, to) => {
    if (to < 0 || to >= route.providers.length) return;
    props.onProviders(moveItem(route.providers, from, to));
  });
  return (
    <li
      className={`rrow${props.dragOver ? ' is-dragover' : ''}${props.hit ? ' is-hit' : ''}`}
      data-route={index}
      tabIndex={0}
      aria-label={`Route ${index + 1}: ${route.models.join(', ')}; Alt+Up/Down to reorder`}
      {...props.drag}
    >
      <span className="grip" aria-hidden="true" title="Drag to reorder" />
      <span className="num prio">{index + 1}</span>
      <span className="r-globs">
        {route.models.map((g) => (
          <code key={g} className="r-glob">
            {g}
          </code>
        ))}
      </span>
      <span className="r-arrow muted" aria-hidden="true">
        →
      </span>
      <ol className="r-provs" aria-label={`Providers of route ${index + 1}`}>
        {route.providers.map((id, j) => (
          <ProviderChip
            key={id}
            id={id}
            position={j}
            view={props.providers.find((p) => p.id === id)}
            weighted={route.balance === 'weighted'}
            dragOver={inner.over === j && inner.from !== j}
            drag={inner.row(j)}
          />
        ))}
      </ol>
      <span className="r-balance muted">{route.balance === 'weighted' ? 'by weight' : 'in order'}</span>
      <span className="p-actions">
        <button type="button" className="btn btn-small" onClick={props.onEdit}>
          Edit
        </button>
        <button type="button" className="btn btn-small btn-danger" onClick={props.onRemove}>
          Delete
        </button>
      </span>
    </li>
  );
}
