import type { JSX, ReactNode } from 'react';

/** What a screen shows when it has nothing yet: what it is for, and what to do next. */
export function EmptyState({ title, children }: { title: string; children?: ReactNode }): JSX.Element {
  return (
    <div className="empty">
      <h2 className="empty-title">{title}</h2>
      {children}
    </div>
  );
}
