import type { CallRequest, ProviderView } from '../../../../shared/ipc-contract';

type PoolInput = CallRequest<'providers.save'>['provider']['apiKeys'];

/**
 * The key pool (`apiKeys`) as the edit form holds it. Saved keys never reach the UI: they are named by
 * fingerprint and can only be kept or dropped; new keys are typed and sent once, on save.
 */
export interface PoolForm {
  /** Fingerprints of the saved pool keys to keep, in order. */
  keep: string[];
  /** Keys typed anew, added after the kept ones. */
  add: string[];
}

/** The pool of a saved provider (its `apiKeys`, not its `apiKey`), or an empty one. */
export function poolFormFrom(p: ProviderView | null): PoolForm {
  const saved = p === null ? [] : p.keys.filter((k) => k.source === 'apiKeys').map((k) => k.fingerprint);
  return { keep: saved, add: [] };
}

/**
 * What a save sends as `apiKeys`: nothing when the pool is as saved (main keeps it), null when it was
 * emptied, else the kept fingerprints and the new keys. When the base URL moves to another origin the
 * saved keys cannot follow (main drops them), so only new keys are sent.
 */
export function poolInput(pool: PoolForm, existing: ProviderView | null, moved: boolean): PoolInput {
  const saved = poolFormFrom(existing).keep;
  const keep = moved ? [] : pool.keep;
  const same = keep.length === saved.length && keep.every((fp, i) => fp === saved[i]);
  if (same && pool.add.length === 0 && !moved) return undefined;
  const entries = [...keep.map((fp) => ({ keep: fp })), ...pool.add];
  return entries.length === 0 ? (saved.length === 0 ? undefined : null) : entries;
}

/** True when a move to another origin would drop saved pool keys (they are never sent elsewhere). */
export function poolDropped(pool: PoolForm, moved: boolean): boolean {
  return moved && pool.keep.length > 0;
}

/** A typed key as the form shows it before it is saved: its last four characters only. */
export function newKeyPreview(key: string): string {
  return key.length <= 8 ? '••••' : `…${key.slice(-4)}`;
}
