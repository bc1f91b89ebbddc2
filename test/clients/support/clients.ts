import { execFileSync, spawn } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import type { ApiFormat } from '../../../src/shared/api-format';
import type { ClientApp } from '../../../src/shared/usage';
import type { UpstreamKind } from './llm-upstream';
import { readNetAttempts, type NetAttempts } from './net-attempts';
import { HEADLESS_CLI } from './headless';

/** Where `scripts/test-clients.mjs` installs the three CLIs (git-ignored, outside the project's dependencies). */
export const CLIENTS_DIR = process.env.SLUICE_CLIENTS_DIR ?? path.resolve(__dirname, '../../../.clients');

/** A real CLI under test: its npm package, the provider kind and wire format it speaks, and how Sluice names it. */
export interface ToolSpec {
  client: ClientApp;
  pkg: string;
  bin: string;
  kind: UpstreamKind;
  format: ApiFormat;
}

export const TOOLS: readonly ToolSpec[] = [
  {
    client: 'claude-code',
    pkg: '@anthropic-ai/claude-code',
    bin: 'claude',
    kind: 'anthropic',
    format: 'anthropic',
  },
  { client: 'codex', pkg: '@openai/codex', bin: 'codex', kind: 'openai', format: 'openai-responses' },
  { client: 'gemini-cli', pkg: '@google/gemini-cli', bin: 'gemini', kind: 'gemini', format: 'gemini' },
];

/** Keys the CLIs are given; Sluice must swap each for the provider's key, so none may reach an upstream. */
export const CLIENT_KEYS: Record<UpstreamKind, string> = {
  anthropic: 'sk-ant-client-key-must-not-reach-upstream',
  openai: 'sk-client-key-must-not-reach-upstream',
  gemini: 'client-gemini-key-must-not-reach-upstream',
};

const RUN_TIMEOUT_MS = 180_000;
const STRACE = '/usr/bin/strace';

/** The installed version of a CLI package. */
export function installedVersion(spec: ToolSpec): string {
  const file = path.join(CLIENTS_DIR, 'node_modules', spec.pkg, 'package.json');
  return (JSON.parse(fs.readFileSync(file, 'utf8')) as { version: string }).version;
}

export interface ToolRun {
  code: number | null;
  signal: NodeJS.Signals | null;
  stdout: string;
  stderr: string;
  durationMs: number;
  /** Non-loopback connects and DNS names, when strace is there to watch (else null). */
  network: NetAttempts | null;
}

/**
 * Points the tool at Sluice the way a user does: `sluice setup <tool> --apply` against this HOME, after
 * the test's own settings (telemetry and updates off) are in place, so setup edits a config it did
 * not write. The tool's env then carries no base URL: only the applied config routes it.
 */
function applySetup(
  spec: ToolSpec,
  env: Record<string, string>,
  home: string,
  port: string,
  dataDir: string,
): void {
  execFileSync(
    process.execPath,
    [HEADLESS_CLI, 'setup', spec.client, '--apply', '--port', port, '--data-dir', dataDir, '--home', home],
    { env, stdio: ['ignore', 'pipe', 'pipe'] },
  );
}

/** Writes each tool's own config into a fresh HOME, applies Sluice's setup, and returns the env and argv of a one-shot run. */
function prepare(
  spec: ToolSpec,
  root: string,
  sluiceUrl: string,
  dataDir: string,
  prompt: string,
): { env: Record<string, string>; args: string[] } {
  const port = new URL(sluiceUrl).port;
  const home = path.join(root, 'home');
  const tmp = path.join(root, 'tmp');
  fs.mkdirSync(home, { recursive: true });
  fs.mkdirSync(tmp, { recursive: true });
  const base: Record<string, string> = {
    PATH: [path.dirname(process.execPath), '/usr/local/bin', '/usr/bin', '/bin'].join(path.delimiter),
    HOME: home,
    USER: 'sluice-test',
    LANG: 'C.UTF-8',
    TMPDIR: tmp,
    XDG_CONFIG_HOME: path.join(home, '.config'),
    XDG_CACHE_HOME: path.join(home, '.cache'),
    XDG_DATA_HOME: path.join(home, '.local', 'share'),
    XDG_STATE_HOME: path.join(home, '.local', 'state'),
  };
  switch (spec.client) {
    case 'claude-code': {
      const env = { ...base, CLAUDE_CONFIG_DIR: path.join(home, '.claude') };
      applySetup(spec, env, home, port, dataDir);
      return {
        env: {
          ...env,
          ANTHROPIC_API_KEY: CLIENT_KEYS.anthropic,
          // One switch for autoupdater, telemetry, error reporting and feedback; the rest say it again.
          CLAUDE_CODE_DISABLE_NONESSENTIAL_TRAFFIC: '1',
          DISABLE_AUTOUPDATER: '1',
          DISABLE_TELEMETRY: '1',
          DISABLE_ERROR_REPORTING: '1',
          DISABLE_BUG_COMMAND: '1',
        },
        args: ['-p', prompt],
      };
    }
    case 'codex': {
      const codexHome = path.join(home, '.codex');
      fs.mkdirSync(codexHome, { recursive: true });
      // Plugins/apps sync reaches github.com and chatgpt.com, analytics ab.chatgpt.com: all off.
      fs.writeFileSync(
        path.join(codexHome, 'config.toml'),
        [
          'model = "gpt-5"',
          'check_for_update_on_startup = false',
          '',
          '[analytics]',
          'enabled = false',
          '',
          '[feedback]',
          'enabled = false',
          '',
          '[features]',
          'plugins = false',
          'remote_plugin = false',
          'plugin_sharing = false',
          'apps = false',
          'tool_suggest = false',
          'skill_mcp_dependency_install = false',
          'in_app_updates = false',
          'api_key_model_discovery = false',
          '',
        ].join('\n'),
      );
      const env = { ...base, CODEX_HOME: codexHome };
      applySetup(spec, env, home, port, dataDir);
      return {
        env: { ...env, OPENAI_API_KEY: CLIENT_KEYS.openai },
        args: ['exec', '--skip-git-repo-check', prompt],
      };
    }
    case 'gemini-cli': {
      const geminiDir = path.join(home, '.gemini');
      fs.mkdirSync(geminiDir, { recursive: true });
      // The user's own settings; setup adds security.auth.selectedType, without which `-p` stops with
      // "Invalid auth method selected.", and the base URL in ~/.gemini/.env.
      fs.writeFileSync(
        path.join(geminiDir, 'settings.json'),
        JSON.stringify(
          {
            general: { enableAutoUpdate: false, enableAutoUpdateNotification: false },
            privacy: { usageStatisticsEnabled: false },
            telemetry: { enabled: false },
          },
          null,
          2,
        ),
      );
      applySetup(spec, base, home, port, dataDir);
      return {
        env: {
          ...base,
          GEMINI_API_KEY: CLIENT_KEYS.gemini,
          // A fresh temp folder is untrusted: headless mode refuses to run there without this.
          GEMINI_CLI_TRUST_WORKSPACE: 'true',
          // Keep machine-wide settings out of the run.
          GEMINI_CLI_SYSTEM_SETTINGS_PATH: path.join(root, 'no-system-settings.json'),
          GEMINI_CLI_SYSTEM_DEFAULTS_PATH: path.join(root, 'no-system-defaults.json'),
        },
        args: ['-p', prompt],
      };
    }
    default:
      throw new Error(`no recipe for ${spec.client}`);
  }
}

/** What a case adds to a one-shot run. */
export interface RunOptions {
  /** Appended to the tool's argv (e.g. Claude Code's `--allowedTools Read`). */
  extraArgs?: readonly string[];
  /** Called with the fresh working folder (its real path) before the tool starts, e.g. to put a file there. */
  prepareWork?: (work: string) => void;
}

/**
 * Runs one CLI one-shot against Sluice at `sluiceUrl` in a fresh HOME and working folder outside any
 * git repository, stdin closed, under strace (when installed) to see any attempt to leave the machine.
 */
export async function runTool(
  spec: ToolSpec,
  sluiceUrl: string,
  dataDir: string,
  prompt: string,
  options: RunOptions = {},
): Promise<ToolRun> {
  const root = fs.realpathSync(fs.mkdtempSync(path.join(os.tmpdir(), `sluice-${spec.client}-`)));
  const work = path.join(root, 'work');
  fs.mkdirSync(work);
  options.prepareWork?.(work);
  const prepared = prepare(spec, root, sluiceUrl, dataDir, prompt);
  const env = prepared.env;
  const args = [...prepared.args, ...(options.extraArgs ?? [])];
  const bin = path.join(CLIENTS_DIR, 'node_modules', '.bin', spec.bin);
  const traceFile = path.join(root, 'strace.log');
  const traced = process.env.SLUICE_CLIENTS_STRACE !== '0' && fs.existsSync(STRACE);
  const [cmd, argv] = traced
    ? [
        STRACE,
        [
          '-f',
          '-qq',
          '-s',
          '300',
          '-e',
          'trace=connect,sendto,sendmsg,sendmmsg',
          '-o',
          traceFile,
          '--',
          bin,
          ...args,
        ],
      ]
    : [bin, args];
  const started = Date.now();
  const child = spawn(cmd, argv, { cwd: work, env, stdio: ['ignore', 'pipe', 'pipe'], detached: true });
  let stdout = '';
  let stderr = '';
  child.stdout.setEncoding('utf8').on('data', (c: string) => (stdout += c));
  child.stderr.setEncoding('utf8').on('data', (c: string) => (stderr += c));
  const timer = setTimeout(() => {
    stderr += `\n[test] killed after ${RUN_TIMEOUT_MS} ms`;
    if (child.pid !== undefined) process.kill(-child.pid, 'SIGKILL');
  }, RUN_TIMEOUT_MS);
  const [code, signal] = await new Promise<[number | null, NodeJS.Signals | null]>((resolve) =>
    child.once('close', (c, s) => resolve([c, s])),
  );
  clearTimeout(timer);
  // Anything the CLI left running in its process group (helpers, a relaunched child) goes too.
  try {
    if (child.pid !== undefined) process.kill(-child.pid, 'SIGKILL');
  } catch {
    // the group is already gone
  }
  const durationMs = Date.now() - started;
  const network = traced ? readNetAttempts(traceFile) : null;
  if (process.env.SLUICE_CLIENTS_KEEP !== '1') fs.rmSync(root, { recursive: true, force: true });
  return { code, signal, stdout, stderr, durationMs, network };
}
