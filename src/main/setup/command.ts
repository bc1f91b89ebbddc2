import os from 'node:os';
import path from 'node:path';
import { parseArgs } from 'node:util';
import { defaultDataDir } from '../config/data-dir';
import { loadOrCreateApiToken } from '../config/local-token';
import { applySetup, undoSetup } from './apply';
import { backupDir } from './manifest';
import {
  DEFAULT_PORT,
  TOOL_IDS,
  geminiEnv,
  ideLines,
  isToolId,
  setupCommand,
  shellWord,
  toolText,
  type SetupContext,
  type ToolId,
} from './plans';
import type { ClaudeCodeSlots } from '../../shared/claude-code-slots';
import { readRequireLocalToken } from './read-settings';
import { SLOT_OPTIONS, SLOT_USAGE, applySlotFlags, hasSlotFlags, saveSlots } from './slot-flags';
import { shellProfile } from './shell-block';
import { targetsFor } from './targets';
import { readFileState } from './text-file';

/** Bad usage: the CLI prints it with the usage text and exits 2. */
export class UsageError extends Error {}

export const SETUP_USAGE = `  sluice setup <${TOOL_IDS.join('|')}> [--print|--apply|--undo]
               [--port N] [--data-dir DIR] [--home DIR]
${SLOT_USAGE}`;

export interface SetupIo {
  out(s: string): void;
  err(s: string): void;
  env: Readonly<Record<string, string | undefined>>;
  now(): Date;
}

interface SetupArgs {
  id: ToolId;
  mode: 'print' | 'apply' | 'undo';
  /** `--port`, or null: then the port saved in the data dir's settings, else 8787. */
  port: number | null;
  dataDir: string;
  home: string;
  /** The options to repeat in the commands it suggests (a non-default port, data dir or home). */
  extra: string[];
  /** `--data-dir DIR` when given: all an undo needs. */
  dataDirArgs: string[];
  /** The slot flags as given (`--haiku`, `--haiku-context-tokens`…), or null when none were. */
  slotFlags: Record<string, string | boolean | undefined> | null;
}

function parse(argv: string[]): SetupArgs {
  let parsed;
  try {
    parsed = parseArgs({
      args: argv,
      allowPositionals: true,
      strict: true,
      options: {
        print: { type: 'boolean', default: false },
        apply: { type: 'boolean', default: false },
        undo: { type: 'boolean', default: false },
        port: { type: 'string' },
        'data-dir': { type: 'string' },
        home: { type: 'string' },
        ...SLOT_OPTIONS,
      },
    });
  } catch (err) {
    throw new UsageError(err instanceof Error ? err.message : String(err));
  }
  const { values, positionals } = parsed;
  const [id, ...rest] = positionals;
  const tools = TOOL_IDS.join(', ');
  if (id === undefined) throw new UsageError(`setup needs a tool: one of ${tools}`);
  if (!isToolId(id)) throw new UsageError(`unknown tool "${id}" (one of ${tools})`);
  if (rest.length > 0) throw new UsageError(`unexpected argument "${rest[0]!}"`);
  const modes = (['print', 'apply', 'undo'] as const).filter((m) => values[m]);
  if (modes.length > 1) throw new UsageError('choose one of --print, --apply and --undo');
  const slotFlags = hasSlotFlags(values) ? values : null;
  if (slotFlags !== null && id !== 'claude-code')
    throw new UsageError('--opus, --sonnet, --haiku and --subagent are for claude-code');
  if (slotFlags !== null && values.undo)
    throw new UsageError('slot flags save the slots; --undo takes out what the last apply wrote');
  const port = values.port === undefined ? null : Number(values.port);
  if (port !== null && (!Number.isInteger(port) || port < 1 || port > 65535))
    throw new Error(`--port must be 1–65535, got "${values.port ?? ''}"`);
  const dataDir = path.resolve(values['data-dir'] ?? defaultDataDir());
  const home = path.resolve(values.home ?? os.homedir());
  const dataDirArgs = values['data-dir'] === undefined ? [] : ['--data-dir', dataDir];
  const extra = [
    ...(port === null || port === DEFAULT_PORT ? [] : ['--port', String(port)]),
    ...dataDirArgs,
    ...(values.home === undefined ? [] : ['--home', home]),
  ];
  return { id, mode: modes[0] ?? 'print', port, dataDir, home, extra, dataDirArgs, slotFlags };
}

/** Lines after an apply that the files alone do not say. */
function notes(a: SetupArgs, ctx: SetupContext, io: SetupIo): string[] {
  switch (a.id) {
    case 'openai-compatible': {
      const profile = shellProfile(a.home, io.env.SHELL).file;
      return [
        `Open a new shell (or \`source ${profile}\`) for it to take effect.`,
        'Tools configured in their own settings:',
        ...ideLines(ctx).map((l) => `  ${l.replace(/^# ?/, '')}`),
      ];
    }
    case 'gemini-cli': {
      // Gemini CLI loads the first .env it finds from the working folder up (~/.gemini/.env last),
      // and never lets it override a variable already in its environment.
      const shadowed = geminiEnv(ctx).filter(([k, v]) => io.env[k] !== undefined && io.env[k] !== v);
      return [
        'Gemini CLI reads the first .env it finds from the folder it runs in upwards: a project .env hides this one.',
        ...shadowed.map(
          ([k]) =>
            `Note: ${k} is set in this shell's environment, and Gemini CLI prefers it to ~/.gemini/.env.`,
        ),
      ];
    }
    default:
      return [];
  }
}

/** `  haiku → deepseek-chat (128000-token window)`, one line a slot; `  (none)` when empty. */
function slotLines(slots: ClaudeCodeSlots): string[] {
  const set = Object.entries(slots).filter(([, v]) => v !== undefined);
  if (set.length === 0) return ['  (none: Claude Code keeps its own models)'];
  return set.map(
    ([name, v]) =>
      `  ${name} → ${v.model}${v.contextWindowTokens === undefined ? '' : ` (${v.contextWindowTokens}-token window)`}`,
  );
}

/**
 * Where the token now is, file by file, with each file's mode: an apply keeps a file's mode (never more
 * readable than it was), so a profile others can read says so rather than being changed behind the
 * user's back.
 */
function tokenHomes(files: readonly string[], token: string): string[] {
  return files.flatMap((file) => {
    const state = readFileState(file);
    if (state.bytes === null || !state.bytes.includes(token)) return [];
    const mode = state.mode ?? 0;
    const shown = `0${mode.toString(8).padStart(3, '0')}`;
    return (mode & 0o077) === 0
      ? [`The API token is now in ${file} (mode ${shown}).`]
      : [
          `The API token is now in ${file} (mode ${shown}: other users of this machine can read it; \`chmod 600 ${shellWord(file)}\` keeps it yours).`,
        ];
  });
}

/**
 * `sluice setup <tool>`: prints the lines pointing a tool at Sluice (`--print`, the default), writes
 * them into the tool's own config keeping a backup (`--apply`), or reverses that (`--undo`).
 * Returns the exit code; throws UsageError for bad usage and Error for a one-line failure.
 */
export function runSetupCommand(argv: string[], io: SetupIo): number {
  const a = parse(argv);
  const dir = backupDir(a.dataDir, a.id);
  const line = (s: string): void => io.out(`${s}\n`);
  if (a.mode === 'undo') {
    const result = undoSetup(dir);
    if (result === null) {
      line(`Nothing to undo for ${a.id}: no apply by Sluice is recorded in ${dir}`);
      return 0;
    }
    result.report.forEach(line);
    for (const f of result.failed) io.err(`sluice: ${f}\n`);
    return result.failed.length === 0 ? 0 : 1;
  }
  const setting = readRequireLocalToken(a.dataDir);
  if (setting.warning !== null) io.err(`sluice: ${setting.warning}\n`);
  let slots: ClaudeCodeSlots = setting.claudeSlots;
  if (a.slotFlags !== null) {
    slots = applySlotFlags(slots, a.slotFlags);
    const file = saveSlots(a.dataDir, slots);
    line(`Claude Code slots saved in ${file}:`);
    slotLines(slots).forEach(line);
    // RuntimeConfig holds the settings in memory and saves them whole: a running Sluice neither sees
    // this row nor keeps it past its next settings change.
    line(
      '(A Sluice running now keeps its own copy until restarted: set them in its Routes section instead.)',
    );
  }
  const ctx: SetupContext = {
    url: `http://127.0.0.1:${a.port ?? setting.savedPort ?? DEFAULT_PORT}`,
    // The API token, never the control token: a tool holding it cannot reconfigure Sluice.
    token: setting.requireToken ? loadOrCreateApiToken(a.dataDir) : '',
    requireToken: setting.requireToken,
    ...(a.id === 'claude-code' ? { claudeSlots: slots } : {}),
  };
  const text = toolText(a.id, ctx, a.extra);
  if (a.mode === 'print') {
    line(`# ${text.name}: in ${text.where}`);
    text.lines.forEach(line);
    line(`# one step: ${text.applyCommand}  (--undo in its place reverses it)`);
    return 0;
  }
  const targets = targetsFor(a.id, ctx, { home: a.home, env: io.env });
  const report = applySetup(a.id, targets, dir, io.now());
  line(
    `${text.name} → Sluice at ${ctx.url}${ctx.requireToken ? ', with the API token (requireLocalToken is on)' : ''}`,
  );
  report.forEach(line);
  if (ctx.requireToken)
    tokenHomes(
      targets.map((t) => t.path),
      ctx.token,
    ).forEach(line);
  notes(a, ctx, io).forEach(line);
  line(`Undo: ${setupCommand(a.id, '--undo', a.dataDirArgs)}`);
  return 0;
}
