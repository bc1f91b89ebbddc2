import type { RouteConfig } from '../../../../shared/config';

/** A route being edited: the globs as typed (one field), the providers in order, the balance. */
export interface RouteDraft {
  globs: string;
  providers: string[];
  balance: 'order' | 'weighted';
}

export function draftFrom(r: RouteConfig | null): RouteDraft {
  return {
    globs: r === null ? '' : r.models.join(', '),
    providers: r === null ? [] : [...r.providers],
    balance: r?.balance ?? 'order',
  };
}

/** `claude-haiku-*, deepseek-*` → the globs, split on commas or white space, empty ones dropped. */
export function parseGlobs(text: string): string[] {
  return text
    .split(/[\s,]+/)
    .map((s) => s.trim())
    .filter((s) => s !== '');
}

/** The route a draft saves as, or the field that is wrong and why. */
export function routeFrom(
  d: RouteDraft,
): { ok: true; route: RouteConfig } | { ok: false; field: 'globs' | 'providers'; message: string } {
  const models = parseGlobs(d.globs);
  if (models.length === 0) return { ok: false, field: 'globs', message: 'at least one model name or glob' };
  if (d.providers.length === 0) return { ok: false, field: 'providers', message: 'at least one provider' };
  return {
    ok: true,
    route: {
      models,
      providers: [...d.providers],
      ...(d.balance === 'weighted' ? { balance: 'weighted' } : {}),
    },
  };
}

/** The list with the item at `from` moved to `to` (clamped); out-of-range `from` leaves it as it is. */
export function moveItem<T>(list: readonly T[], from: number, to: number): T[] {
  const out = [...list];
  if (from < 0 || from >= out.length) return out;
  const [item] = out.splice(from, 1);
  out.splice(Math.max(0, Math.min(out.length, to)), 0, item as T);
  return out;
}

/**
 * `Alt+↑` / `Alt+↓` on a row: the index it moves to, or null for any other key. The keyboard way to do
 * what dragging does.
 */
export function keyMove(e: { altKey: boolean; key: string }, index: number): number | null {
  if (!e.altKey) return null;
  if (e.key === 'ArrowUp') return index - 1;
  if (e.key === 'ArrowDown') return index + 1;
  return null;
}

/**
 * A server message naming a field (`routes[1].providers[0]: no provider "x"`) said of the route being
 * edited: the index is the editor's own, so the user sees `providers[0]: …` for the route they are on.
 */
export function messageFor(message: string, index: number): string {
  return message.replaceAll(`routes[${index}].`, '');
}
