import type { JSX } from 'react';
import type { LiveStatus } from '../features/live/live-row';

/** A request's status: a coloured dot and the word (colour is never the only signal). */
export function StatusPill({ status, title }: { status: LiveStatus; title?: string }): JSX.Element {
  return (
    <span className={`status status-${status}`} title={title}>
      <span className="status-dot" aria-hidden="true" />
      {status}
    </span>
  );
}
