import type { JSX } from 'react';
import { formatMs } from '../lib/format';
import { useNow } from '../lib/use-now';

/** Elapsed time since `since` (epoch ms), ticking every 100 ms: a waiting request's TTFB, a stream's duration. */
export function Ticking({ since }: { since: number }): JSX.Element {
  const now = useNow();
  return <span className="ticking">{formatMs(Math.max(0, now - since))}</span>;
}
