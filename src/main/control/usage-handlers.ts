import { usageRowsToCsv } from '../../shared/usage-format';
import type { ControlDeps } from './deps';
import type { ControlHandlers } from './dispatch';
import { summaryRowsToCsv } from './summary-csv';

/** `usage.summary` (charts and totals) and `usage.exportCsv` (every request, or totals by day/model/provider/client). */
export function usageHandlers(deps: ControlDeps): Pick<ControlHandlers, 'usage.summary' | 'usage.exportCsv'> {
  return {
    'usage.summary': (query) => deps.usage.summary(query),
    'usage.exportCsv': ({ groupBy, ...range }) => {
      if (groupBy === undefined) return usageRowsToCsv([...deps.usage.rows(range)]);
      const rows =
        groupBy === 'day'
          ? deps.usage.summary({ ...range, bucket: 'day', groupBy: 'none' })
          : deps.usage.summary({ ...range, bucket: 'all', groupBy });
      return summaryRowsToCsv(rows, groupBy);
    },
  };
}
