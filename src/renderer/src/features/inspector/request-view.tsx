import type { JSX } from 'react';
import { redactSecrets } from '../../../../shared/redact';
import type { UsageRow } from '../../../../shared/usage';
import type { RequestCapture } from '../../../../shared/usage-query';
import { formatBytes } from '../../lib/format';
import { clientLabel, formatPath } from '../../lib/labels';
import { prettyJson } from './json-read';

/** What the request was: route, client and User-Agent, and the body when bodies are captured (redacted). */
export function RequestView({
  row,
  capture,
}: {
  row: UsageRow;
  capture: RequestCapture | null;
}): JSX.Element {
  const body = capture?.requestBody ?? null;
  return (
    <div className="request-view">
      <table className="kv">
        <tbody>
          <tr>
            <th>route</th>
            <td className="mono">POST {formatPath(row.format, row.model, row.stream)}</td>
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
      <p className="list-note">Other request headers are not recorded; credentials never are.</p>
      <h3>Body</h3>
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
    </div>
  );
}
