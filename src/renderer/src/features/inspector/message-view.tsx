import type { JSX } from 'react';
import type { DecodedMessage } from './decode-message';
import { prettyJson } from './pretty-json';

/** The decoded answer: thinking, text, tool calls with pretty-printed arguments, how it stopped. */
export function MessageView({ m }: { m: DecodedMessage }): JSX.Element {
  const empty = m.text === '' && m.thinking === '' && m.toolCalls.length === 0;
  return (
    <div className="message">
      <div className="kv-line">
        {m.model !== null && (
          <span>
            model <b className="mono">{m.model}</b>
          </span>
        )}
        {m.stopReason !== null && (
          <span>
            stop <b className="mono">{m.stopReason}</b>
          </span>
        )}
      </div>
      {m.error !== null && (
        <div className="error-note" role="alert">
          Error in the stream: {m.error}
        </div>
      )}
      {m.thinking !== '' && (
        <details className="block" open>
          <summary>Thinking</summary>
          <pre className="prose thinking">{m.thinking}</pre>
        </details>
      )}
      {m.text !== '' && (
        <section className="block">
          <h3>Text</h3>
          <pre className="prose">{m.text}</pre>
        </section>
      )}
      {m.toolCalls.map((c, i) => (
        <section className="block" key={`${c.id ?? ''}-${i}`}>
          <h3>
            Tool call <b className="mono">{c.name || '(unnamed)'}</b>{' '}
            {c.id !== null && <span className="mono muted">{c.id}</span>}
          </h3>
          <pre className="mono code">{c.args === '' ? '{}' : prettyJson(c.args)}</pre>
        </section>
      ))}
      {empty && m.error === null && <p className="list-note">No content decoded (yet).</p>}
    </div>
  );
}
