import type { JSX } from 'react';
import { CopyButton } from '../../components/copy-button';
import { EmptyState } from '../../components/empty-state';
import { useCall } from '../../lib/use-call';

/** First run: what to do so that requests start showing up here. */
export function LiveEmpty({ onGo }: { onGo: (screen: 'providers' | 'setup') => void }): JSX.Element {
  const [providers] = useCall('providers.list', {});
  const [setup] = useCall('setup.get', {});
  const hasProvider = providers.state === 'ready' && providers.value.length > 0;
  const url = setup.state === 'ready' ? setup.value.url : 'http://127.0.0.1:8787';
  const claude = `export ANTHROPIC_BASE_URL=${url}`;
  return (
    <EmptyState title="No requests yet">
      <p>Requests show up here the moment a tool sends one through Sluice.</p>
      <ol className="steps">
        <li className={hasProvider ? 'is-done' : ''}>
          {hasProvider ? (
            <>Providers are set up ({providers.state === 'ready' ? providers.value.length : 0}).</>
          ) : (
            <>
              Add an upstream provider and its key.{' '}
              <button type="button" className="btn btn-small" onClick={() => onGo('providers')}>
                Providers <kbd>4</kbd>
              </button>
            </>
          )}
        </li>
        <li>
          Point a tool at Sluice, e.g. Claude Code:
          <div className="code-line">
            <code>{claude}</code>
            <CopyButton text={claude} />
          </div>
          Codex, Gemini CLI, Cursor and others:{' '}
          <button type="button" className="btn btn-small" onClick={() => onGo('setup')}>
            Setup <kbd>6</kbd>
          </button>
        </li>
        <li>Send a prompt. It appears here live: waiting, streaming, done, with TTFB and tokens.</li>
      </ol>
    </EmptyState>
  );
}
