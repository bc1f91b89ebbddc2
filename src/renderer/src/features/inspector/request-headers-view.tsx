import type { JSX } from 'react';
import { MAX_RECORDED_HEADER_BYTES, MAX_RECORDED_HEADERS } from '../../../../shared/header-redact';
import type { RecordedRequestHeaders } from '../../../../shared/usage-query';
import { formatBytes } from '../../lib/format';

/** The headers the client sent, as recorded: name and value, masked values marked as such. */
export function RequestHeadersView({ recorded }: { recorded: RecordedRequestHeaders | null }): JSX.Element {
  if (recorded === null)
    return (
      <p className="list-note">
        No headers recorded for this request: they are kept as long as captures (Settings → Captures →
        retention), and requests from before Sluice recorded them have none.
      </p>
    );
  return (
    <table className="kv req-headers mono" aria-label="Request headers">
      <tbody>
        {recorded.headers.map((h, i) => (
          <tr key={`${i}-${h.name}`} data-redacted={h.redacted ? 'true' : undefined}>
            <th scope="row">{h.name}</th>
            <td>
              {h.redacted ? (
                <span className="redacted" title="Credential: masked before it was stored">
                  {h.value}
                </span>
              ) : (
                h.value
              )}
            </td>
          </tr>
        ))}
        {recorded.omitted > 0 && (
          <tr>
            <th />
            <td className="muted">
              … {recorded.omitted} more not kept (at most {MAX_RECORDED_HEADERS} headers,{' '}
              {formatBytes(MAX_RECORDED_HEADER_BYTES)} in all, are recorded)
            </td>
          </tr>
        )}
      </tbody>
    </table>
  );
}
