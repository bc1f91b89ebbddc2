import { useEffect, useState, type JSX } from 'react';
import { API_FORMATS, type ApiFormat } from '../../../../shared/api-format';
import type { RouteTest } from '../../../../shared/routes-view';
import { api } from '../../api';

const FORMAT_LABELS: Readonly<Record<ApiFormat, string>> = {
  anthropic: 'Anthropic client',
  'openai-chat': 'Chat Completions client',
  'openai-responses': 'Responses client',
  gemini: 'Gemini client',
};
/** Typing settles this long before the gateway is asked. */
const SETTLE_MS = 150;

/**
 * The glob tester: a model name (and the client's format) → the route it hits and the chain a request
 * would walk, with why each provider is in it or not. The gateway answers with the very function the
 * proxy uses, so the two cannot disagree. `version` changes whenever the routes do.
 */
export function RouteTester(props: { version: number; onHit: (index: number | null) => void }): JSX.Element {
  const [model, setModel] = useState('');
  const [format, setFormat] = useState<ApiFormat>('anthropic');
  const [result, setResult] = useState<RouteTest | null>(null);
  const [error, setError] = useState<string | null>(null);
  const { onHit } = props;

  useEffect(() => {
    const name = model.trim();
    if (name === '') {
      setResult(null);
      setError(null);
      onHit(null);
      return;
    }
    let live = true;
    const t = setTimeout(() => {
      void api.call('routes.test', { model: name, format }).then((r) => {
        if (!live) return;
        if (r.ok) {
          setResult(r.value);
          setError(null);
          onHit(r.value.route?.index ?? null);
        } else setError(r.error.message);
      });
    }, SETTLE_MS);
    return () => {
      live = false;
      clearTimeout(t);
    };
  }, [model, format, props.version, onHit]);

  return (
    <div className="route-tester" role="search" aria-label="Glob tester">
      <div className="toolbar-inline">
        <input
          className="input mono"
          name="test-model"
          aria-label="Model name to test"
          placeholder="Test a model name, e.g. claude-haiku-4-5"
          value={model}
          onChange={(e) => setModel(e.target.value)}
        />
        <select
          className="input"
          aria-label="Client format"
          value={format}
          onChange={(e) => setFormat(e.target.value as ApiFormat)}
        >
          {API_FORMATS.map((f) => (
            <option key={f} value={f}>
              {FORMAT_LABELS[f]}
            </option>
          ))}
        </select>
      </div>
      {error !== null && <p className="field-error">{error}</p>}
      {result !== null && error === null && (
        <div className="tester-result" data-testid="tester-result" role="status">
          <p>
            <code>{result.model}</code>{' '}
            {result.route === null ? (
              <span>matches no route: the default chain (every provider of its format, by priority)</span>
            ) : (
              <span>
                hits <strong>route {result.route.index + 1}</strong> by <code>{result.route.glob}</code>
              </span>
            )}
          </p>
          <ol className="tester-chain">
            {result.chain.map((c) => (
              <li key={c.provider} className={`chain-${c.status}`} data-chain-provider={c.provider}>
                <span className={`chip ${c.status === 'candidate' ? 'chip-done' : 'chip-skipped'}`}>
                  {c.status === 'candidate' ? 'tried' : 'skipped'}
                </span>{' '}
                <span className="mono">{c.provider}</span> <span className="muted">{c.reason}</span>
              </li>
            ))}
            {result.chain.length === 0 && <li className="muted">no provider would be tried</li>}
          </ol>
        </div>
      )}
    </div>
  );
}
