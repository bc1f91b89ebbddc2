import type { ControlDeps } from './deps';
import type { ControlHandlers } from './dispatch';

/** `requests.page` (the list, newest first, keyset-paged) and `requests.get` (the inspector). */
export function requestsHandlers(deps: ControlDeps): Pick<ControlHandlers, 'requests.page' | 'requests.get'> {
  return {
    'requests.page': (query) => deps.usage.page(query),
    'requests.get': ({ requestId }) => deps.usage.detail(requestId),
  };
}
