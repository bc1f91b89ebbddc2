import { useVirtualizer } from '@tanstack/react-virtual';
import { useDeferredValue, useMemo, useRef, useState, type JSX } from 'react';
import { formatOffset } from '../../lib/format';
import { prettyJson } from './pretty-json';

export interface ViewFrame {
  offsetMs: number;
  event: string | null;
  data: string;
}

const FRAME_ROW = 20;

/** Raw frames with their +ms offsets: virtualised, searchable; click one to see it pretty-printed. */
export function FramesView({
  frames,
  dropped,
}: {
  frames: readonly ViewFrame[];
  dropped: number;
}): JSX.Element {
  const [query, setQuery] = useState('');
  const q = useDeferredValue(query.toLowerCase());
  const shown = useMemo(() => {
    const all = frames.map((f, i) => ({ f, i }));
    if (q === '') return all;
    return all.filter(
      ({ f }) => f.data.toLowerCase().includes(q) || (f.event ?? '').toLowerCase().includes(q),
    );
  }, [frames, q]);
  const [picked, setPicked] = useState<number | null>(null);
  const scroller = useRef<HTMLDivElement>(null);
  const virtual = useVirtualizer({
    count: shown.length,
    getScrollElement: () => scroller.current,
    estimateSize: () => FRAME_ROW,
    overscan: 20,
  });
  const pickedFrame = picked === null ? undefined : frames[picked];
  return (
    <div className="frames">
      <div className="toolbar">
        <input
          className="filter"
          type="search"
          placeholder="Search frames"
          aria-label="Search frames"
          value={query}
          spellCheck={false}
          onChange={(e) => setQuery(e.target.value)}
        />
        <span className="spacer" />
        <span className="counts num">
          {q === '' ? `${frames.length} frames` : `${shown.length} of ${frames.length} frames`}
          {dropped > 0 && ` · ${dropped} not kept`}
        </span>
      </div>
      <div className="frames-split">
        <div className="frames-list" ref={scroller} role="list" aria-label="Raw frames">
          <div style={{ height: virtual.getTotalSize(), position: 'relative' }}>
            {virtual.getVirtualItems().map((item) => {
              const entry = shown[item.index];
              if (entry === undefined) return null;
              return (
                <div
                  key={entry.i}
                  role="listitem"
                  className={`frow${picked === entry.i ? ' is-selected' : ''}`}
                  style={{ transform: `translateY(${item.start}px)` }}
                  onClick={() => setPicked(entry.i)}
                >
                  <span className="f-off num">{formatOffset(entry.f.offsetMs)}</span>
                  <span className="f-ev mono">{entry.f.event ?? ''}</span>
                  <span className="f-data mono">{entry.f.data}</span>
                </div>
              );
            })}
          </div>
          {frames.length === 0 && (
            <p className="list-note">
              No frames: captures may be off (Settings → Captures), or the response had no body.
            </p>
          )}
        </div>
        {pickedFrame !== undefined && (
          <pre className="frame-detail mono" aria-label="Frame">
            {pickedFrame.event !== null && `event: ${pickedFrame.event}\n`}
            {prettyJson(pickedFrame.data)}
          </pre>
        )}
      </div>
    </div>
  );
}
