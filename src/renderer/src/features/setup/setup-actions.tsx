import { useState, type JSX } from 'react';
import type {
  SetupFilePreview,
  SetupOutcome,
  SetupPreview,
  SetupState,
  SetupToolId,
} from '../../../../shared/setup-view';
import { api } from '../../api';
import { ErrorNote } from '../../components/error-note';
import { DiffView } from './diff-view';

type Step =
  | { kind: 'idle' }
  | { kind: 'working'; what: string }
  | { kind: 'preview'; preview: SetupPreview }
  | { kind: 'confirm-undo'; files: SetupFilePreview[] }
  | { kind: 'done'; action: 'apply' | 'undo'; outcome: SetupOutcome }
  | { kind: 'failed'; message: string };

/** Per file: its path, what will happen to it, and the diff from what it holds now to what it will hold. */
function Preview({ files, undo }: { files: SetupFilePreview[]; undo: boolean }): JSX.Element {
  const chip = (f: SetupFilePreview): string => {
    if (!f.willChange) return undo ? 'left as it is' : 'already set';
    if (undo) return f.diff.includes('\n+++ /dev/null\n') ? 'will be deleted' : 'will be restored';
    return f.exists ? 'will be edited' : 'will be created';
  };
  return (
    <div className="setup-files">
      {files.map((f) => (
        <div key={f.path} className="setup-file" data-file={f.path}>
          <div className="setup-file-head">
            <code>{f.path}</code>
            <span className={`chip ${f.willChange ? 'chip-waiting' : 'chip-idle'}`}>{chip(f)}</span>
          </div>
          {undo && <p className="muted">{f.changes.join('; ')}</p>}
          {f.willChange && <DiffView diff={f.diff} label={`Changes to ${f.path}`} />}
        </div>
      ))}
    </div>
  );
}

function Outcome({ step }: { step: Extract<Step, { kind: 'done' }> }): JSX.Element {
  const { outcome, action } = step;
  const ok = outcome.failed.length === 0;
  return (
    <div className="setup-result" role="status" aria-label={action === 'apply' ? 'Applied' : 'Undone'}>
      <p className={ok ? 'setup-ok' : 'setup-bad'}>
        {action === 'apply'
          ? 'Applied: the tool uses Sluice from its next start.'
          : ok
            ? 'Undone: the tool’s config is as it was.'
            : 'Undone in part: some files could not be reversed (they stay recorded; try again).'}
      </p>
      <pre className="setup-report">{outcome.report.join('\n')}</pre>
      {outcome.failed.map((f) => (
        <ErrorNote key={f} message={f} />
      ))}
    </div>
  );
}

/**
 * Apply and Undo for one tool, each in two steps: the first shows what it will write (a diff per file,
 * and for Undo what happens to each file), the second writes it and shows the report and the backups.
 * The same code as `sluice setup <tool> --apply/--undo` runs behind them.
 */
export function SetupActions({
  tool,
  state,
  onChanged,
}: {
  tool: SetupToolId;
  state: SetupState;
  onChanged: () => void;
}): JSX.Element {
  const [step, setStep] = useState<Step>({ kind: 'idle' });

  const preview = async (action: 'apply' | 'undo'): Promise<void> => {
    setStep({ kind: 'working', what: 'Reading the files…' });
    const r = await api.call('setup.preview', { tool });
    if (!r.ok) setStep({ kind: 'failed', message: r.error.message });
    else if (action === 'apply') setStep({ kind: 'preview', preview: r.value });
    else setStep({ kind: 'confirm-undo', files: r.value.undo });
  };
  const run = async (action: 'apply' | 'undo', basis?: string): Promise<void> => {
    setStep({ kind: 'working', what: action === 'apply' ? 'Writing…' : 'Undoing…' });
    const r =
      action === 'apply'
        ? await api.call('setup.apply', basis === undefined ? { tool } : { tool, basis })
        : await api.call('setup.undo', { tool });
    setStep(r.ok ? { kind: 'done', action, outcome: r.value } : { kind: 'failed', message: r.error.message });
    onChanged();
  };
  const cancel = (): void => setStep({ kind: 'idle' });
  const changes = step.kind === 'preview' && step.preview.files.some((f) => f.willChange);

  return (
    <div className="setup-actions">
      <div className="setup-buttons">
        <button
          type="button"
          className="btn btn-small"
          disabled={step.kind === 'working'}
          onClick={() => void preview('apply')}
        >
          Apply…
        </button>
        <button
          type="button"
          className="btn btn-small"
          disabled={!state.applied || step.kind === 'working'}
          onClick={() => void preview('undo')}
        >
          Undo…
        </button>
        <span className="muted">
          {state.applied
            ? `Applied by Sluice: ${state.files.map((f) => f.path).join(', ')}`
            : 'Writes the tool’s own config and keeps a backup; Undo puts it back.'}
        </span>
      </div>
      {step.kind === 'working' && <p className="muted">{step.what}</p>}
      {step.kind === 'failed' && <ErrorNote message={step.message} onRetry={cancel} />}
      {step.kind === 'preview' && (
        <div className="setup-confirm" aria-label="Apply preview">
          <Preview files={step.preview.files} undo={false} />
          <div className="setup-buttons">
            <button
              type="button"
              className="btn btn-small btn-primary"
              disabled={!changes}
              onClick={() => void run('apply', step.preview.basis)}
            >
              {changes ? 'Write these changes' : 'Nothing to change'}
            </button>
            <button type="button" className="btn btn-small" onClick={cancel}>
              Cancel
            </button>
          </div>
        </div>
      )}
      {step.kind === 'confirm-undo' && (
        <div className="setup-confirm" aria-label="Undo preview">
          <Preview files={step.files} undo />
          <div className="setup-buttons">
            <button type="button" className="btn btn-small btn-primary" onClick={() => void run('undo')}>
              Undo these changes
            </button>
            <button type="button" className="btn btn-small" onClick={cancel}>
              Cancel
            </button>
          </div>
        </div>
      )}
      {step.kind === 'done' && <Outcome step={step} />}
    </div>
  );
}
