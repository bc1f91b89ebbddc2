import type { SetupInfo, SetupTool } from '../../shared/ipc-contract';
import type { ControlDeps } from './deps';
import type { ControlHandlers } from './dispatch';

type ToolText = Omit<SetupTool, 'lastSeenAt'>;

/**
 * What each tool needs to send its requests through Sluice at `url`. The local token line for Claude
 * Code stays commented until API routes can require the token (a later setting): setting it now would
 * replace the user's own credentials for nothing.
 */
export function setupTools(url: string, token: string): ToolText[] {
  return [
    {
      id: 'claude-code',
      name: 'Claude Code',
      where: 'your shell profile (~/.zshrc, ~/.bashrc), or before `claude`',
      lines: [
        `export ANTHROPIC_BASE_URL=${url}`,
        `# only when Sluice requires its local token on API routes:`,
        `# export ANTHROPIC_AUTH_TOKEN=${token}`,
      ],
      clients: ['claude-code'],
    },
    {
      id: 'codex',
      name: 'Codex CLI',
      where: '~/.codex/config.toml (`model_provider` must sit above every [table])',
      lines: [
        'model_provider = "sluice"',
        '',
        '[model_providers.sluice]',
        'name = "Sluice"',
        `base_url = "${url}/v1"`,
        'wire_api = "responses"',
        'env_key = "OPENAI_API_KEY"  # must be set; any value when the provider in Sluice has a key',
      ],
      clients: ['codex'],
    },
    {
      id: 'gemini-cli',
      name: 'Gemini CLI',
      where: 'your shell profile; and ~/.gemini/settings.json for the auth type',
      lines: [
        `export GOOGLE_GEMINI_BASE_URL=${url}`,
        'export GEMINI_API_KEY=<your key, or any value when the provider in Sluice has one>',
        '# ~/.gemini/settings.json:',
        '{ "security": { "auth": { "selectedType": "gemini-api-key" } } }',
      ],
      clients: ['gemini-cli'],
    },
    {
      id: 'openai-compatible',
      name: 'OpenAI-compatible (Cursor, Cline, SDKs)',
      where: "the tool's base URL setting, or the shell for the SDKs",
      lines: [`export OPENAI_BASE_URL=${url}/v1`],
      clients: ['openai-sdk'],
    },
  ];
}

/** `setup.get`: the gateway URL, the local token, and per tool the lines to use and when it was last seen. */
export function setupHandlers(deps: ControlDeps): Pick<ControlHandlers, 'setup.get'> {
  return {
    'setup.get': (): SetupInfo => ({
      url: deps.url(),
      token: deps.token,
      tools: setupTools(deps.url(), deps.token).map((t) => ({
        ...t,
        lastSeenAt: deps.usage.lastSeenMs(t.clients),
      })),
    }),
  };
}
