import type { JSX } from 'react';
import type { PoolKeyView } from '../../../../shared/ipc-contract';
import { formatMs } from '../../lib/format';
import { useNow } from '../../lib/use-now';

/**
 * A provider's key pool on the Providers screen, one line a key: its fingerprint (never the key), where
 * it is configured, requests and errors since start, and whether it serves, cools (429) or sits out
 * (refused or spent), counting down from when the list was fetched. Shown for pools of two or more.
 */
export function KeyPoolTable({
  keys,
  fetchedAt,
}: {
  keys: PoolKeyView[];
  fetchedAt: number;
}): JSX.Element | null {
  const counting = keys.some((k) => k.unusableForMs > 0);
  const now = useNow(counting);
  if (keys.length < 2) return null;
  return (
    <table className="pool-table" data-testid="key-pool">
      <thead>
        <tr>
          <th>key</th>
          <th>from</th>
          <th className="num">requests</th>
          <th className="num">errors</th>
          <th>state</th>
        </tr>
      </thead>
      <tbody>
        {keys.map((k) => {
          const left = Math.max(0, k.unusableForMs - (counting ? now - fetchedAt : 0));
          const out = left > 0 && k.reason !== null;
          const cooling = out && /^http_status 429/.test(k.reason ?? '');
          return (
            <tr key={k.fingerprint} data-fingerprint={k.fingerprint}>
              <td className="mono">{k.fingerprint}</td>
              <td className="muted">{k.source}</td>
              <td className="num">{k.requests}</td>
              <td className="num">{k.errors}</td>
              <td>
                {out ? (
                  <span title={k.reason ?? ''}>
                    <span className={`chip chip-${cooling ? 'waiting' : 'failed'}`}>
                      {cooling ? 'cooling' : 'benched'}
                    </span>{' '}
                    <span className="num muted">{formatMs(left)} left</span>{' '}
                    <span className="health-err">{k.reason}</span>
                  </span>
                ) : (
                  <span className="chip chip-done">in turn</span>
                )}
              </td>
            </tr>
          );
        })}
      </tbody>
    </table>
  );
}
