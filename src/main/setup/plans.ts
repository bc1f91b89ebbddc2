import type { ClaudeCodeSlots } from '../../shared/claude-code-slots';
import type { SetupTool } from '../../shared/ipc-contract';
import { slotEnv } from './claude-slot-env';

/** The tools `sluice setup` and the Setup screen know. */
export type ToolId = SetupTool['id'];
export const TOOL_IDS: readonly ToolId[] = ['claude-code', 'codex', 'gemini-cli', 'openai-compatible'];

export function isToolId(value: string): value is ToolId {
  return (TOOL_IDS as readonly string[]).includes(value);
}

/** The gateway's default port, as `serve` and the app use it. */
export const DEFAULT_PORT = 8787;

/** What every plan is a function of. */
export interface SetupContext {
  /** The gateway's URL, `http://127.0.0.1:8787` (no trailing slash). */
  url: string;
  /** The API token (`<dataDir>/api-token`, never the control token). Used only when `requireToken`. */
  token: string;
  /** The `requireLocalToken` setting: API clients must present the token as their API key. */
  requireToken: boolean;
  /** The `claudeCodeSlots` setting: the models Claude Code's slots ask for (absent: none written). */
  claudeSlots?: ClaudeCodeSlots;
}

export type ToolText = Omit<SetupTool, 'lastSeenAt'>;
export type EnvPair = readonly [name: string, value: string];

/** Gemini CLI will not start without some GEMINI_API_KEY; this one is swapped for the provider's key. */
export const GEMINI_PLACEHOLDER_KEY = 'sluice';
export const GEMINI_PLACEHOLDER_NOTE =
  "# Gemini CLI needs some GEMINI_API_KEY to start; Sluice swaps in its provider's key";
const ANY_KEY = 'any value works when the provider in Sluice has a key';

/**
 * Claude Code's variables. `ANTHROPIC_AUTH_TOKEN` is sent as `Authorization: Bearer`, checked first; then
 * the model slots set in Sluice's settings (see claude-slot-env.ts).
 */
export function claudeEnv(ctx: SetupContext): EnvPair[] {
  return [
    ['ANTHROPIC_BASE_URL', ctx.url],
    ...(ctx.requireToken ? [['ANTHROPIC_AUTH_TOKEN', ctx.token] as const] : []),
    ...slotEnv(ctx.claudeSlots),
  ];
}

/** The top-level line selecting Sluice in `~/.codex/config.toml`. */
export const CODEX_PROVIDER_LINE = 'model_provider = "sluice"';
export const CODEX_TABLE = 'model_providers.sluice';

/**
 * The `[model_providers.sluice]` table. With the token required it rides as the provider's bearer token
 * (Codex's `experimental_bearer_token`), so no extra variable has to be exported for Codex to work.
 */
export function codexTable(ctx: SetupContext): string[] {
  return [
    `[${CODEX_TABLE}]`,
    'name = "Sluice"',
    `base_url = "${ctx.url}/v1"`,
    'wire_api = "responses"',
    ctx.requireToken
      ? `experimental_bearer_token = "${ctx.token}"  # Sluice's API token (requireLocalToken is on)`
      : `env_key = "OPENAI_API_KEY"  # must be set: your own key, or ${ANY_KEY}`,
  ];
}

/** Gemini CLI's variables (`~/.gemini/.env`, or the shell). */
export function geminiEnv(ctx: SetupContext): EnvPair[] {
  return [
    ['GOOGLE_GEMINI_BASE_URL', ctx.url],
    ...(ctx.requireToken ? [['GEMINI_API_KEY', ctx.token] as const] : []),
  ];
}

/** `security.auth.selectedType` in `~/.gemini/settings.json`: use an API key (which Sluice can swap). */
export const GEMINI_AUTH_PATH = ['security', 'auth', 'selectedType'] as const;
export const GEMINI_AUTH_TYPE = 'gemini-api-key';

/** The variables the OpenAI SDKs (and tools built on them) read. */
export function openaiEnv(ctx: SetupContext): EnvPair[] {
  return [
    ['OPENAI_BASE_URL', `${ctx.url}/v1`],
    ...(ctx.requireToken ? [['OPENAI_API_KEY', ctx.token] as const] : []),
  ];
}

/** Tools configured in their own settings UI rather than by a file or a variable. */
export function ideLines(ctx: SetupContext): string[] {
  const key = ctx.requireToken
    ? 'the Sluice API token'
    : 'your own key, or any value when the provider has one';
  return [
    `# Cline: API Provider "OpenAI Compatible", Base URL ${ctx.url}/v1, API Key: ${key}`,
    `# Continue: a model with provider: openai, apiBase: ${ctx.url}/v1, apiKey: ${key}`,
    `# Cursor: Models → Override OpenAI Base URL: ${ctx.url}/v1 (Cursor calls it from its own servers:`,
    '#   they must be able to reach this machine)',
  ];
}

/** `a b` → `'a b'`: a POSIX-shell word. */
export function shellWord(s: string): string {
  return /^[\w@%+=:,./-]+$/.test(s) ? s : `'${s.replaceAll("'", `'\\''`)}'`;
}

/** `npm run sluice -- setup <id> --apply` (or `--undo`); `extraArgs` name a non-default port or data dir. */
export function setupCommand(
  id: ToolId,
  mode: '--apply' | '--undo',
  extraArgs: readonly string[] = [],
): string {
  return ['npm run sluice -- setup', id, mode, ...extraArgs.map(shellWord)].join(' ');
}

const exportLines = (pairs: readonly EnvPair[]): string[] =>
  pairs.map(([k, v]) => `export ${k}=${shellWord(v)}`);

function claudeCode(ctx: SetupContext): Omit<ToolText, 'applyCommand'> {
  return {
    id: 'claude-code',
    name: 'Claude Code',
    where: 'your shell profile (~/.zshrc, ~/.bashrc), before `claude`, or `env` in ~/.claude/settings.json',
    lines: [
      ...exportLines(claudeEnv(ctx)),
      ctx.requireToken
        ? "# Sluice requires its API token (requireLocalToken) and swaps in the provider's key"
        : `# your own ANTHROPIC_API_KEY or login still works; ${ANY_KEY}`,
    ],
    clients: ['claude-code'],
  };
}

function codex(ctx: SetupContext): Omit<ToolText, 'applyCommand'> {
  return {
    id: 'codex',
    name: 'Codex CLI',
    where: '~/.codex/config.toml (`model_provider` must sit above every [table])',
    lines: [CODEX_PROVIDER_LINE, '', ...codexTable(ctx)],
    clients: ['codex'],
  };
}

function geminiCli(ctx: SetupContext): Omit<ToolText, 'applyCommand'> {
  return {
    id: 'gemini-cli',
    name: 'Gemini CLI',
    where: 'your shell profile or ~/.gemini/.env; and ~/.gemini/settings.json for the auth type',
    lines: [
      ...exportLines(geminiEnv(ctx)),
      ...(ctx.requireToken
        ? []
        : [`# GEMINI_API_KEY must be set: your own key, or ${ANY_KEY} (e.g. ${GEMINI_PLACEHOLDER_KEY})`]),
      '# ~/.gemini/settings.json:',
      `{ "security": { "auth": { "selectedType": "${GEMINI_AUTH_TYPE}" } } }`,
    ],
    clients: ['gemini-cli'],
  };
}

function openaiCompatible(ctx: SetupContext): Omit<ToolText, 'applyCommand'> {
  return {
    id: 'openai-compatible',
    name: 'OpenAI-compatible (Cursor, Cline, SDKs)',
    where: "your shell profile for the SDKs; the tool's base URL setting for the others",
    lines: [
      ...exportLines(openaiEnv(ctx)),
      ...(ctx.requireToken ? [] : [`# OPENAI_API_KEY: your own key; ${ANY_KEY}`]),
      ...ideLines(ctx),
    ],
    clients: ['openai-sdk'],
  };
}

const PLANS: Record<ToolId, (ctx: SetupContext) => Omit<ToolText, 'applyCommand'>> = {
  'claude-code': claudeCode,
  codex,
  'gemini-cli': geminiCli,
  'openai-compatible': openaiCompatible,
};

/** One tool's text: what to set, where, and the one-step command doing it. */
export function toolText(id: ToolId, ctx: SetupContext, extraArgs: readonly string[] = []): ToolText {
  return { ...PLANS[id](ctx), applyCommand: setupCommand(id, '--apply', extraArgs) };
}

/** Every tool's text, as the Setup screen and `sluice setup --print` show it. */
export function setupTools(ctx: SetupContext, extraArgs: readonly string[] = []): ToolText[] {
  return TOOL_IDS.map((id) => toolText(id, ctx, extraArgs));
}
