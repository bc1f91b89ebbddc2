import type { JSX, ReactNode } from 'react';
import type { SetupTool } from '../../../../shared/ipc-contract';
import type { SetupState } from '../../../../shared/setup-view';
import { CopyButton } from '../../components/copy-button';
import { ErrorNote } from '../../components/error-note';
import { formatAgo } from '../../lib/format';
import { useCall } from '../../lib/use-call';
import { SetupActions } from './setup-actions';

/** `a \`b\` c` → a <code>b</code> c: the server's hints name commands and keys in backticks. */
function withCode(text: string): ReactNode[] {
  return text.split('`').map((part, i) => (i % 2 === 1 ? <code key={i}>{part}</code> : part));
}

function Tool({
  t,
  state,
  now,
  onChanged,
}: {
  t: SetupTool;
  state: SetupState;
  now: number;
  onChanged: () => void;
}): JSX.Element {
  const text = t.lines.join('\n');
  return (
    <article className="tool" data-tool={t.id} data-applied={state.applied ? 'yes' : 'no'}>
      <header className="tool-head">
        <h2>{t.name}</h2>
        <span className={`chip ${t.lastSeenAt === null ? 'chip-idle' : 'chip-done'}`}>
          {t.lastSeenAt === null ? 'not seen yet' : `seen ${formatAgo(t.lastSeenAt, now)}`}
        </span>
        <span className={`chip ${state.applied ? 'chip-done' : 'chip-idle'}`}>
          {state.applied ? 'set up by Sluice' : 'not set up by Sluice'}
        </span>
        <span className="spacer" />
        <CopyButton text={text} label="Copy all" />
      </header>
      <p className="muted">In {withCode(t.where)}:</p>
      <div className="lines">
        {t.lines.map((line, i) =>
          line === '' ? (
            <div key={i} className="line blank" />
          ) : (
            <div key={i} className={`line${line.startsWith('#') ? ' comment' : ''}`}>
              <code>{line}</code>
              {line.startsWith('export ') && <CopyButton text={line} />}
            </div>
          ),
        )}
      </div>
      <SetupActions tool={t.id} state={state} onChanged={onChanged} />
      <p className="muted">
        {withCode(
          `The same from a terminal, in the Sluice folder: \`${t.applyCommand}\` (\`--undo\` in place of \`--apply\` reverses it).`,
        )}
      </p>
    </article>
  );
}

/**
 * Per tool: the exact lines with copy buttons, whether Sluice has seen it, and Apply/Undo buttons that
 * write (or restore) the tool's own config after showing what they will do.
 */
export function SetupScreen(): JSX.Element {
  const [setup, reload] = useCall('setup.get', {});
  const now = Date.now();
  return (
    <section className="screen setup" aria-label="Setup">
      <div className="toolbar">
        <span className="muted">
          Point a tool at {setup.state === 'ready' ? <code>{setup.value.url}</code> : 'Sluice'}, then send a
          prompt: it shows up in Live and here as seen.
        </span>
        <span className="spacer" />
        <button type="button" className="btn btn-small" onClick={reload}>
          Refresh
        </button>
      </div>
      <div className="setup-scroll">
        {setup.state === 'failed' && <ErrorNote message={setup.message} onRetry={reload} />}
        {setup.state === 'ready' &&
          setup.value.tools.map((t) => (
            <Tool key={t.id} t={t} state={setup.value.states[t.id]} now={now} onChanged={reload} />
          ))}
      </div>
    </section>
  );
}
