/**
 * Provider User-Agent presets: some relays accept only a given client's User-Agent, so a provider may
 * name the tool Sluice should present itself as. Pure data and functions, no zod (the renderer imports
 * this too; the schema lives in config.ts).
 *
 * Each preset is the exact identity the real tool sends today, captured from the versions our real-client
 * tests run, plus the companion headers relays check alongside it:
 *
 * - Claude Code 2.1.332 (interactive): `claude-cli/2.1.332 (external, cli)` and `x-app: cli`
 *   (`claude -p` says `sdk-cli` instead of `cli`; relays allow-list the interactive form).
 * - Codex CLI 0.171.0 (interactive TUI): `codex_cli_rs/<version> (<os> <os version>; <arch>) <terminal>` and
 *   `originator: codex_cli_rs` (`codex exec` says `codex_exec` in both). The OS and terminal are fixed
 *   to a common Linux desktop.
 * - Gemini CLI 0.61.0: `GeminiCLI-tui/<version>/<model> (<platform>; <arch>; <surface>)` and the Google
 *   GenAI SDK's `x-goog-api-client` it always adds.
 *
 * Order of precedence on a forwarded request: the client's own headers < the preset < the provider's
 * explicit `headers`. On Sluice's own requests (model list, the test button) the preset stands in for the
 * client, and without one Sluice says who it is: `Sluice/<version>`.
 */

export const USER_AGENT_PRESETS = ['claude-code', 'codex', 'gemini-cli'] as const;
export type UserAgentPreset = (typeof USER_AGENT_PRESETS)[number];

/** A provider's `userAgent`: a preset's name, or a User-Agent of one's own. */
export type UserAgentSetting = UserAgentPreset | { custom: string };

/** A custom User-Agent is at most this many characters. */
export const CUSTOM_USER_AGENT_MAX_CHARS = 512;

export interface UserAgentPresetInfo {
  /** What the UI calls it. */
  label: string;
  /** The headers it puts on a request, lower-case names, `user-agent` first. */
  headers: Readonly<Record<string, string>>;
}

export const USER_AGENT_PRESET_INFO: Readonly<Record<UserAgentPreset, UserAgentPresetInfo>> = {
  'claude-code': {
    label: 'Claude Code',
    headers: { 'user-agent': 'claude-cli/2.1.332 (external, cli)', 'x-app': 'cli' },
  },
  codex: {
    label: 'Codex',
    headers: {
      'user-agent': 'codex_cli_rs/0.171.0 (Ubuntu 24.4.0; x86_64) xterm-256color',
      originator: 'codex_cli_rs',
    },
  },
  'gemini-cli': {
    label: 'Gemini CLI',
    headers: {
      'user-agent': 'GeminiCLI-tui/0.61.0/gemini-3.1-pro-preview (linux; x64; terminal)',
      'x-goog-api-client': 'google-genai-sdk/1.30.0 gl-node/v20.20.2',
    },
  },
};

export function isUserAgentPreset(value: string): value is UserAgentPreset {
  return (USER_AGENT_PRESETS as readonly string[]).includes(value);
}

// Printable ASCII only: a header value with CR or LF could smuggle a header of its own.
const PRINTABLE_ASCII = /^[\x20-\x7E]*$/;

/** Why a custom User-Agent is refused, or null when it is fine (the schema and the form share this). */
export function customUserAgentProblem(value: string): string | null {
  if (value.trim() === '') return 'must not be empty';
  if (value !== value.trim()) return 'no leading or trailing spaces';
  if (/[\r\n]/.test(value)) return 'no line breaks';
  if (!PRINTABLE_ASCII.test(value)) return 'printable ASCII only';
  if (value.length > CUSTOM_USER_AGENT_MAX_CHARS) return `at most ${CUSTOM_USER_AGENT_MAX_CHARS} characters`;
  return null;
}

/** The headers a provider's `userAgent` puts on a request; empty when it has none (the client's own pass). */
export function userAgentHeaders(setting: UserAgentSetting | undefined): Record<string, string> {
  if (setting === undefined) return {};
  if (typeof setting === 'string') return { ...USER_AGENT_PRESET_INFO[setting].headers };
  return { 'user-agent': setting.custom };
}

/** The identity headers of Sluice's own requests to a provider: its preset or custom UA, else `Sluice/<version>`. */
export function resolveUserAgent(
  provider: { readonly userAgent?: UserAgentSetting | undefined },
  version: string,
): Record<string, string> {
  return provider.userAgent === undefined
    ? { 'user-agent': `Sluice/${version}` }
    : userAgentHeaders(provider.userAgent);
}
