import type { JSX } from 'react';
import type { ApiFormat } from '../../../../shared/api-format';
import { redactSecrets } from '../../../../shared/redact';
import type { UsageRow } from '../../../../shared/usage';
import type { RequestCapture } from '../../../../shared/usage-query';
import { formatBytes } from '../../lib/format';
import { clientLabel, formatLabel, formatPath } from '../../lib/labels';
import { prettyJson } from './pretty-json';
import { RequestHeadersView } from './request-headers-view';

/**
 * What the request was: route, client and User-Agent, the headers as sent and the body when bodies
 * are captured (both redacted).
 */
export function RequestView({
  row,
  capture,
  translatedTo = null,
}: {
  row: UsageRow;
  capture: RequestCapture | null;
  /** The provider's format when the served attempt was translated for it: both bodies are shown. */
  translatedTo?: ApiFormat | null;
}): JSX.Element {
  const body = capture?.requestBody ?? null;
  const upstream = capture?.upstreamRequest ?? null;
  const head = capture?.requestHeaders ?? null;
  return (
    <div className="request-view">
      <table className="kv">
        <tbody>
          <tr>
            <th>route</th>
            <td className="mono">
              {head === null
                ? `POST ${formatPath(row.format, row.model, row.stream)}`
                : `${head.method} ${head.target}`}
            </td>
          </tr>
          <tr>
            <th>client</th>
            <td>{clientLabel(row.client)}</td>
          </tr>
          <tr>
            <th>user-agent</th>
            <td className="mono">{row.userAgent === null ? '—' : redactSecrets(row.userAgent)}</td>
          </tr>
          <tr>
            <th>model</th>
            <td className="mono">
              {row.model ?? '—'}
              {row.upstreamModel !== null &&
                row.upstreamModel !== row.model &&
                ` → ${row.upstreamModel} upstream`}
            </td>
          </tr>
          <tr>
            <th>stream</th>
            <td>{row.stream ? 'yes' : 'no'}</td>
          </tr>
        </tbody>
      </table>
      <h3>Headers</h3>
      <RequestHeadersView recorded={head} />
      <h3>{translatedTo === null ? 'Body' : `Body: client sent (${formatLabel(row.format)})`}</h3>
      {body === null ? (
        <p className="list-note">
          Request bodies are not captured (they hold your prompts and code). Turn them on in Settings →
          Captures.
        </p>
      ) : (
        <>
          {capture !== null && capture.requestBodyTruncatedBytes > 0 && (
            <p className="list-note">
              Cut: the last {formatBytes(capture.requestBodyTruncatedBytes)} were not kept.
            </p>
          )}
          <pre className="mono code body">{prettyJson(redactSecrets(body))}</pre>
        </>
      )}
      {translatedTo !== null && (
        <>
          <h3>Body: provider was sent ({formatLabel(translatedTo)})</h3>
          {upstream === null ? (
            <p className="list-note">
              Not kept: the translated body is captured with request bodies (Settings → Captures).
            </p>
          ) : (
            <>
              {upstream.truncatedBytes > 0 && (
                <p className="list-note">
                  Cut: the last {formatBytes(upstream.truncatedBytes)} were not kept.
                </p>
              )}
              <pre className="mono code body" aria-label="Provider request body">
                {prettyJson(redactSecrets(upstream.body))}
              </pre>
            </>
          )}
        </>
      )}
    </div>
  );
}
