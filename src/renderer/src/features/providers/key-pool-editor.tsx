import { useState, type JSX } from 'react';
import type { ProviderView } from '../../../../shared/ipc-contract';
import { newKeyPreview, type PoolForm } from './key-pool-form';

/**
 * The provider form's key pool (`apiKeys`): the saved keys by fingerprint, each removable, and keys typed
 * anew. Write-only like the API key: a saved key is never shown, nor sent back.
 */
export function KeyPoolEditor({
  pool,
  existing,
  onChange,
}: {
  pool: PoolForm;
  existing: ProviderView | null;
  onChange: (pool: PoolForm) => void;
}): JSX.Element {
  const [typed, setTyped] = useState('');
  const state = (fp: string): string => {
    const k = existing?.keys.find((x) => x.fingerprint === fp);
    if (k === undefined) return '';
    return `${k.requests} req · ${k.errors} err${k.reason === null ? '' : ` · ${k.reason}`}`;
  };
  const add = (): void => {
    const key = typed.trim();
    if (key === '' || pool.add.includes(key)) return;
    onChange({ ...pool, add: [...pool.add, key] });
    setTyped('');
  };
  return (
    <div className="field" data-testid="key-pool-editor">
      <span className="field-label">key pool</span>
      <ul className="pool-keys">
        {pool.keep.map((fp) => (
          <li key={fp}>
            <span className="mono">{fp}</span> <span className="muted">{state(fp)}</span>{' '}
            <button
              type="button"
              className="btn btn-small"
              aria-label={`Remove pool key ${fp}`}
              onClick={() => onChange({ ...pool, keep: pool.keep.filter((x) => x !== fp) })}
            >
              Remove
            </button>
          </li>
        ))}
        {pool.add.map((key, i) => (
          <li key={`new-${i}`}>
            <span className="mono">new {newKeyPreview(key)}</span>{' '}
            <button
              type="button"
              className="btn btn-small"
              aria-label={`Remove new pool key ${i + 1}`}
              onClick={() => onChange({ ...pool, add: pool.add.filter((_, j) => j !== i) })}
            >
              Remove
            </button>
          </li>
        ))}
      </ul>
      <span className="key-row">
        <input
          className="input mono"
          type="password"
          autoComplete="off"
          value={typed}
          onChange={(e) => setTyped(e.target.value)}
          onKeyDown={(e) => {
            if (e.key !== 'Enter') return;
            e.preventDefault();
            add();
          }}
          placeholder="another key for this provider"
          aria-label="Add a pool key (write-only)"
        />
        <button type="button" className="btn btn-small" onClick={add} disabled={typed.trim() === ''}>
          Add key
        </button>
      </span>
      <span className="field-hint">
        Used in turn with the API key; a refused or spent key sits out, a rate-limited one cools.
      </span>
    </div>
  );
}
