import { useCallback, useEffect, useState } from 'react';
import { formatHash, parseHash, type Route } from './route';

/** The route in the URL hash, and a navigate function that pushes history (so Back works too). */
export function useRoute(): [Route, (next: Route) => void] {
  const [route, setRoute] = useState<Route>(() => parseHash(location.hash));
  useEffect(() => {
    const onHash = (): void => setRoute(parseHash(location.hash));
    window.addEventListener('hashchange', onHash);
    return () => window.removeEventListener('hashchange', onHash);
  }, []);
  const navigate = useCallback((next: Route) => {
    const hash = formatHash(next);
    if (hash !== location.hash) location.hash = hash;
    setRoute(next);
  }, []);
  return [route, navigate];
}
