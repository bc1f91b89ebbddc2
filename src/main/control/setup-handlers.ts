import type { SetupInfo } from '../../shared/ipc-contract';
import { SluiceError } from '../../shared/errors';
import type { SetupFilePreview, SetupOutcome, SetupPreview, SetupState } from '../../shared/setup-view';
import { providerSecrets } from '../../shared/provider-secrets';
import { redactSecrets } from '../../shared/redact';
import { defaultDataDir } from '../config/data-dir';
import { applySetup, undoSetup } from '../setup/apply';
import { backupDir } from '../setup/manifest';
import { DEFAULT_PORT, TOOL_IDS, setupTools, type SetupContext, type ToolId } from '../setup/plans';
import { previewSetup, previewUndo, setupState } from '../setup/preview';
import { targetsFor } from '../setup/targets';
import type { ControlDeps } from './deps';
import type { ControlHandlers } from './dispatch';

/** What `sluice setup` needs to reach this very gateway: its port and data dir, when not the defaults. */
function commandArgs(deps: ControlDeps): string[] {
  return [
    ...(deps.port() === DEFAULT_PORT ? [] : ['--port', String(deps.port())]),
    ...(deps.dataDir === defaultDataDir() ? [] : ['--data-dir', deps.dataDir]),
  ];
}

/**
 * What every plan is a function of, as this gateway is now: its URL, and with `requireLocalToken` on the
 * API token (never the control token) as the tools' key. The lines shown and the files written use it.
 */
function context(deps: ControlDeps): SetupContext {
  return {
    url: deps.url(),
    token: deps.apiToken(),
    requireToken: deps.config.settings().requireLocalToken,
    claudeSlots: deps.config.settings().claudeCodeSlots,
  };
}

type Calls = 'setup.get' | 'setup.preview' | 'setup.apply' | 'setup.undo';

/**
 * `setup.get`: the gateway URL, the control and API tokens, and per tool the lines to use (the same
 * text `sluice setup --print` gives), the one-step command, when the tool was last seen and whether
 * Sluice's setup is applied. `setup.preview`, `setup.apply` and `setup.undo` run the code of
 * `sluice setup <tool> --apply/--undo` on the files under `deps.setupHome`, with the backups and
 * manifest in this data dir, so the command and the buttons undo each other's work.
 */
export function setupHandlers(deps: ControlDeps): Pick<ControlHandlers, Calls> {
  const dir = (tool: ToolId): string => backupDir(deps.dataDir, tool);
  const state = (tool: ToolId): SetupState => setupState(dir(tool));
  const targets = (tool: ToolId) => targetsFor(tool, context(deps), deps.setupHome);
  return {
    'setup.get': (): SetupInfo => {
      const ctx = context(deps);
      return {
        url: ctx.url,
        token: deps.token(),
        apiToken: ctx.token,
        tools: setupTools(ctx, commandArgs(deps)).map((t) => ({
          ...t,
          lastSeenAt: deps.usage.lastSeenMs(t.clients),
        })),
        states: Object.fromEntries(TOOL_IDS.map((id) => [id, state(id)])) as SetupInfo['states'],
      };
    },
    'setup.preview': ({ tool }): SetupPreview => {
      // A tool's own file may hold its keys beside Sluice's lines (diff context, undo's original): they
      // reach the page only through the one redaction path, like every other text.
      const secrets = providerSecrets(deps.config.providers());
      const shown = (f: SetupFilePreview): SetupFilePreview => ({
        ...f,
        changes: f.changes.map((c) => redactSecrets(c, secrets)),
        diff: redactSecrets(f.diff, secrets),
      });
      const { files, basis } = previewSetup(targets(tool), dir(tool));
      return {
        tool,
        files: files.map(shown),
        basis,
        state: state(tool),
        undo: previewUndo(dir(tool)).map(shown),
      };
    },
    'setup.apply': ({ tool, basis }): SetupOutcome => {
      const planned = targets(tool);
      if (basis !== undefined && previewSetup(planned, dir(tool)).basis !== basis)
        throw new SluiceError(
          'bad_request',
          'the files (or what Sluice would write in them) changed since the preview; nothing was written: look at the new preview',
        );
      const report = applySetup(tool, planned, dir(tool), new Date());
      deps.log(`setup: applied ${tool} (${planned.map((t) => t.path).join(', ')})`);
      return { tool, report, failed: [], state: state(tool) };
    },
    'setup.undo': ({ tool }): SetupOutcome => {
      const result = undoSetup(dir(tool));
      if (result === null)
        return {
          tool,
          report: [`Nothing to undo for ${tool}: no apply by Sluice is recorded in ${dir(tool)}`],
          failed: [],
          state: state(tool),
        };
      deps.log(
        `setup: undid ${tool}${result.failed.length > 0 ? ` (${result.failed.length} file(s) left)` : ''}`,
      );
      return { tool, ...result, state: state(tool) };
    },
  };
}
