import path from 'node:path';
import { codexEditor } from './codex-toml';
import { dotenvEditor } from './dotenv-edit';
import type { Editor } from './editor';
import { jsonEditor } from './json-edit';
import {
  GEMINI_AUTH_PATH,
  GEMINI_AUTH_TYPE,
  GEMINI_PLACEHOLDER_KEY,
  GEMINI_PLACEHOLDER_NOTE,
  claudeEnv,
  codexTable,
  geminiEnv,
  openaiEnv,
  type SetupContext,
  type ToolId,
} from './plans';
import { blockEditor, blockLines, shellProfile } from './shell-block';

/** One file `--apply` edits. */
export interface Target {
  /** Absolute path (may be a symlink; the write goes to its target). */
  path: string;
  /** Mode of the file when Sluice creates it: 0600 when it will hold the API token. */
  createMode: number;
  editor: Editor;
}

export interface TargetOptions {
  home: string;
  /** The environment: CODEX_HOME, CLAUDE_CONFIG_DIR, SHELL. */
  env: Readonly<Record<string, string | undefined>>;
}

const mode = (ctx: SetupContext): number => (ctx.requireToken ? 0o600 : 0o644);

/** `~/.claude` unless CLAUDE_CONFIG_DIR moves it (Claude Code reads the same variable). */
export function claudeDir(o: TargetOptions): string {
  const dir = o.env.CLAUDE_CONFIG_DIR;
  return dir === undefined || dir === '' ? path.join(o.home, '.claude') : path.resolve(dir);
}

/** `~/.codex` unless CODEX_HOME moves it (Codex reads the same variable). */
export function codexDir(o: TargetOptions): string {
  const dir = o.env.CODEX_HOME;
  return dir === undefined || dir === '' ? path.join(o.home, '.codex') : path.resolve(dir);
}

/** The files `--apply` writes for a tool, each with the editor that sets Sluice's entries in it. */
export function targetsFor(id: ToolId, ctx: SetupContext, o: TargetOptions): Target[] {
  const token = '<the API token>';
  switch (id) {
    case 'claude-code': {
      const file = path.join(claudeDir(o), 'settings.json');
      const sets = claudeEnv(ctx).map(([k, v]) => ({
        path: ['env', k],
        value: v,
        ...(k === 'ANTHROPIC_AUTH_TOKEN' ? { secret: token } : {}),
      }));
      return [{ path: file, createMode: mode(ctx), editor: jsonEditor(file, sets) }];
    }
    case 'codex': {
      const file = path.join(codexDir(o), 'config.toml');
      return [{ path: file, createMode: mode(ctx), editor: codexEditor(file, codexTable(ctx)) }];
    }
    case 'gemini-cli': {
      const settings = path.join(o.home, '.gemini', 'settings.json');
      const env = path.join(o.home, '.gemini', '.env');
      const auth = jsonEditor(settings, [
        { path: GEMINI_AUTH_PATH, value: GEMINI_AUTH_TYPE },
        // Settings written by Gemini CLI before v0.3 keep the type at the top; keep both in step.
        { path: ['selectedAuthType'], value: GEMINI_AUTH_TYPE, onlyIfPresent: true },
      ]);
      const defaults = ctx.requireToken
        ? []
        : [{ key: 'GEMINI_API_KEY', value: GEMINI_PLACEHOLDER_KEY, note: GEMINI_PLACEHOLDER_NOTE }];
      return [
        { path: settings, createMode: 0o644, editor: auth },
        {
          path: env,
          createMode: 0o600,
          editor: dotenvEditor(geminiEnv(ctx), defaults, ['GEMINI_API_KEY']),
        },
      ];
    }
    case 'openai-compatible': {
      const profile = shellProfile(o.home, o.env.SHELL);
      const note = '# written by `npm run sluice -- setup openai-compatible --apply`; --undo removes it';
      return [
        {
          path: profile.file,
          createMode: mode(ctx),
          editor: blockEditor(profile.file, blockLines(openaiEnv(ctx), profile.kind, note)),
        },
      ];
    }
  }
}
