/** The six screens, in the order the 1–6 keys pick them. */
export const SCREENS = [
  { id: 'live', label: 'Live' },
  { id: 'inspector', label: 'Inspector' },
  { id: 'usage', label: 'Usage' },
  { id: 'providers', label: 'Providers' },
  { id: 'settings', label: 'Settings' },
  { id: 'setup', label: 'Setup' },
] as const;

export type Screen = (typeof SCREENS)[number]['id'];

export interface Route {
  screen: Screen;
  /** The inspected request (Inspector), kept while other screens are shown. */
  requestId: string | null;
}

const REQUEST_ID = /^[0-9a-f]{32}$/;

/** Reads `#/inspector/<id>`, `#/usage`…; anything unknown is the Live screen. */
export function parseHash(hash: string): Route {
  const [screen = '', id = ''] = hash.replace(/^#\/?/, '').split('/');
  const known = SCREENS.find((s) => s.id === screen);
  return {
    screen: known?.id ?? 'live',
    requestId: REQUEST_ID.test(id) ? id : null,
  };
}

/** The hash for a route; the inspector carries its request id. */
export function formatHash(route: Route): string {
  if (route.screen === 'inspector' && route.requestId !== null) return `#/inspector/${route.requestId}`;
  return `#/${route.screen}`;
}

/** The screen a digit key picks (`1` → live … `6` → setup), or null. */
export function screenForKey(key: string): Screen | null {
  const n = Number(key);
  if (!Number.isInteger(n) || n < 1 || n > SCREENS.length) return null;
  return SCREENS[n - 1]?.id ?? null;
}
