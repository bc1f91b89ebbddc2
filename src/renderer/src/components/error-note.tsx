import type { JSX } from 'react';

/** An inline error from a call, with an optional retry. */
export function ErrorNote({ message, onRetry }: { message: string; onRetry?: () => void }): JSX.Element {
  return (
    <div className="error-note" role="alert">
      <span>{message}</span>
      {onRetry !== undefined && (
        <button type="button" className="btn btn-small" onClick={onRetry}>
          Retry
        </button>
      )}
    </div>
  );
}
