import { useVirtualizer } from '@tanstack/react-virtual';
import { useEffect, useLayoutEffect, useRef, type JSX } from 'react';
import type { LiveRow } from './live-row';
import { LiveHeader, LiveRowView, ROW_HEIGHT } from './live-row-view';

interface Props {
  rows: readonly LiveRow[];
  selectedId: string | null;
  onPick: (id: string) => void;
  onOpen: (id: string) => void;
  /** Called when the end of the list comes into view (to load older rows). */
  onEnd: () => void;
}

/**
 * The virtualised list: fixed row height, absolutely placed rows, only the visible ones rendered.
 * When new rows arrive above while the user is scrolled down, the scroll position moves with them,
 * so the rows under the eye stay put.
 */
export function LiveList({ rows, selectedId, onPick, onOpen, onEnd }: Props): JSX.Element {
  const scroller = useRef<HTMLDivElement>(null);
  const virtual = useVirtualizer({
    count: rows.length,
    getScrollElement: () => scroller.current,
    estimateSize: () => ROW_HEIGHT,
    overscan: 12,
    getItemKey: (i) => rows[i]?.id ?? i,
  });

  // Scroll anchoring: remember the top visible row and keep it in place across updates. The scroll
  // offset is the one the last scroll event read: reading el.scrollTop here, after React has changed the
  // rows, would force a synchronous layout on every flush (measured: the Live view's largest cost).
  const scrollTop = useRef(0);
  const anchor = useRef<{ id: string; index: number } | null>(null);
  useLayoutEffect(() => {
    const el = scroller.current;
    const a = anchor.current;
    if (el !== null && a !== null && scrollTop.current > 0) {
      const now =
        a.index < rows.length && rows[a.index]?.id === a.id ? a.index : rows.findIndex((r) => r.id === a.id);
      if (now >= 0 && now !== a.index) {
        scrollTop.current = Math.max(0, scrollTop.current + (now - a.index) * ROW_HEIGHT);
        el.scrollTop = scrollTop.current;
      }
    }
    const index = Math.floor(scrollTop.current / ROW_HEIGHT);
    const r = rows[index];
    anchor.current = r === undefined ? null : { id: r.id, index };
  }, [rows]);

  // Keep the selected row visible as j/k move it.
  const selectedIndex = selectedId === null ? -1 : rows.findIndex((r) => r.id === selectedId);
  useEffect(() => {
    if (selectedIndex >= 0) virtual.scrollToIndex(selectedIndex, { align: 'auto' });
  }, [selectedIndex, virtual]);

  const items = virtual.getVirtualItems();
  const last = items.at(-1);
  const atEnd = last !== undefined && last.index >= rows.length - 1;
  useEffect(() => {
    if (atEnd) onEnd();
  }, [atEnd, onEnd]);

  return (
    <div className="llist" role="grid" aria-rowcount={rows.length} aria-label="Requests">
      <LiveHeader />
      <div
        className="lbody"
        ref={scroller}
        tabIndex={-1}
        onScroll={() => {
          const el = scroller.current;
          if (el === null) return;
          scrollTop.current = el.scrollTop;
          const index = Math.floor(scrollTop.current / ROW_HEIGHT);
          const r = rows[index];
          anchor.current = r === undefined ? null : { id: r.id, index };
        }}
      >
        <div className="lspacer" style={{ height: virtual.getTotalSize() }}>
          {items.map((item) => {
            const row = rows[item.index];
            if (row === undefined) return null;
            return (
              <LiveRowView
                key={row.id}
                row={row}
                top={item.start}
                selected={row.id === selectedId}
                onPick={onPick}
                onOpen={onOpen}
              />
            );
          })}
        </div>
      </div>
    </div>
  );
}
