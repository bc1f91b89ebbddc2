/**
 * How a request's chain was chosen, for the inspector and the live view (stored as JSON on the
 * request's row, column `route`): the route that matched, and what put the first provider first.
 */
export interface RouteChoice {
  /** The first route whose globs matched: its index in `routes`, the glob, and all its globs; null = the default chain. */
  route: { index: number; glob: string; models: string[] } | null;
  /** The provider session affinity put first: it served this conversation's previous turn. */
  affinity: string | null;
  /** The provider a weighted turn put first (`weight`), when no affinity did. */
  weighted: string | null;
}

/** One line for people: `routes[1] (claude-haiku-*) · kept on fast (affinity)` (the index as the config names it). */
export function routeChoiceText(c: RouteChoice): string {
  const parts = [
    c.route === null ? 'default chain' : `routes[${c.route.index}] (${c.route.models.join(', ')})`,
  ];
  if (c.affinity !== null) parts.push(`kept on ${c.affinity} (affinity)`);
  else if (c.weighted !== null) parts.push(`${c.weighted} by weight`);
  return parts.join(' · ');
}

/** A stored `route` column back to its choice; null when empty or not one (rows from older versions). */
export function parseRouteChoice(text: string | null): RouteChoice | null {
  if (text === null) return null;
  try {
    const v = JSON.parse(text) as Partial<RouteChoice> | null;
    if (typeof v !== 'object' || v === null) return null;
    const r = v.route;
    const route =
      r !== null &&
      typeof r === 'object' &&
      typeof r.index === 'number' &&
      typeof r.glob === 'string' &&
      Array.isArray(r.models)
        ? { index: r.index, glob: r.glob, models: r.models.filter((m): m is string => typeof m === 'string') }
        : null;
    return {
      route,
      affinity: typeof v.affinity === 'string' ? v.affinity : null,
      weighted: typeof v.weighted === 'string' ? v.weighted : null,
    };
  } catch {
    return null;
  }
}
