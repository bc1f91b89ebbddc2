import { useRef, useState, type DragEvent, type KeyboardEvent } from 'react';
import { keyMove } from './routes-model';

/** The props that make one row of a list draggable (pointer) and movable by Alt+↑/↓ (keyboard). */
export interface DragRowProps {
  draggable: true;
  onDragStart: (e: DragEvent) => void;
  onDragOver: (e: DragEvent) => void;
  onDrop: (e: DragEvent) => void;
  onDragEnd: () => void;
  onKeyDown: (e: KeyboardEvent) => void;
}

/**
 * Reordering for one list: `row(i)` gives row i its handlers; `over` is the row a drag hovers (for the
 * drop marker). `onMove(from, to)` is called on a drop or an Alt+↑/↓; each list has its own `kind`, so
 * a provider dragged inside a route never lands in the list of routes.
 */
export function useDragList(
  kind: string,
  onMove: (from: number, to: number) => void,
): { row: (i: number) => DragRowProps; over: number | null; from: number | null } {
  const [from, setFrom] = useState<number | null>(null);
  const [over, setOver] = useState<number | null>(null);
  const fromRef = useRef<number | null>(null);
  const mime = `application/x-sluice-${kind}`;
  const end = (): void => {
    fromRef.current = null;
    setFrom(null);
    setOver(null);
  };
  return {
    from,
    over,
    row: (i) => ({
      draggable: true,
      onDragStart: (e) => {
        // A drag that began on a nested list belongs to it.
        if (fromRef.current !== null || e.defaultPrevented) return;
        e.stopPropagation();
        fromRef.current = i;
        setFrom(i);
        e.dataTransfer.effectAllowed = 'move';
        e.dataTransfer.setData(mime, String(i));
      },
      onDragOver: (e) => {
        if (fromRef.current === null) return;
        e.preventDefault();
        e.stopPropagation();
        setOver(i);
      },
      onDrop: (e) => {
        if (fromRef.current === null) return;
        e.preventDefault();
        e.stopPropagation();
        const start = fromRef.current;
        end();
        if (start !== i) onMove(start, i);
      },
      onDragEnd: end,
      onKeyDown: (e) => {
        if (e.target !== e.currentTarget) return;
        const to = keyMove(e, i);
        if (to === null) return;
        e.preventDefault();
        onMove(i, to);
      },
    }),
  };
}
