#!/usr/bin/env node
// `npm run test:clients`: installs Claude Code, Codex CLI and Gemini CLI (pinned, ~900 MB) into the
// git-ignored .clients/ folder when missing, builds the headless gateway, and runs test/clients/ with
// vitest.clients.config.mts. Kept apart from `npm test` because of the download.
import { execFileSync, spawnSync } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
const clientsDir = process.env.SLUICE_CLIENTS_DIR ?? path.join(root, '.clients');
const npm = process.platform === 'win32' ? 'npm.cmd' : 'npm';

/** Bump deliberately: each is a real tool whose requests Sluice must keep handling. */
const CLIENTS = {
  '@anthropic-ai/claude-code': '2.1.332',
  '@openai/codex': '0.171.0',
  '@google/gemini-cli': '0.61.0',
};
const BINS = {
  '@anthropic-ai/claude-code': 'claude',
  '@openai/codex': 'codex',
  '@google/gemini-cli': 'gemini',
};

const started = Date.now();

function installedVersion(pkg) {
  try {
    return JSON.parse(fs.readFileSync(path.join(clientsDir, 'node_modules', pkg, 'package.json'), 'utf8'))
      .version;
  } catch {
    return null;
  }
}

function run(cmd, args, opts = {}) {
  const r = spawnSync(cmd, args, { stdio: 'inherit', cwd: root, ...opts });
  if (r.status !== 0) {
    console.error(`test:clients: ${cmd} ${args.join(' ')} failed (${r.status ?? r.signal})`);
    process.exit(r.status || 1);
  }
}

// 1. The CLIs, outside the project's dependency tree.
const missing = Object.entries(CLIENTS).filter(([pkg, v]) => installedVersion(pkg) !== v);
if (missing.length > 0) {
  fs.mkdirSync(clientsDir, { recursive: true });
  const specs = Object.entries(CLIENTS).map(([pkg, v]) => `${pkg}@${v}`);
  console.log(`test:clients: installing ${specs.join(' ')} into ${clientsDir} (about 900 MB)`);
  run(npm, ['install', '--prefix', clientsDir, '--no-audit', '--no-fund', '--save-exact', ...specs]);
}

// 2. Each must start. Claude Code's bin is a stub until its postinstall links the native binary; if
// npm skipped install scripts, run that postinstall here.
const scratchHome = fs.mkdtempSync(path.join(os.tmpdir(), 'sluice-clients-version-'));
for (const [pkg, bin] of Object.entries(BINS)) {
  const exe = path.join(clientsDir, 'node_modules', '.bin', bin);
  const check = () =>
    spawnSync(exe, ['--version'], {
      encoding: 'utf8',
      env: { ...process.env, HOME: scratchHome, CODEX_HOME: path.join(scratchHome, '.codex') },
      timeout: 60_000,
    });
  let r = check();
  if (r.status !== 0 && pkg === '@anthropic-ai/claude-code') {
    execFileSync(process.execPath, ['install.cjs'], {
      cwd: path.join(clientsDir, 'node_modules', pkg),
      stdio: 'inherit',
    });
    r = check();
  }
  if (r.status !== 0) {
    console.error(`test:clients: ${bin} --version failed:\n${r.stdout}${r.stderr}`);
    process.exit(1);
  }
  console.log(`test:clients: ${bin} ${r.stdout.trim().split('\n').pop()}`);
}
fs.rmSync(scratchHome, { recursive: true, force: true });

// 3. The headless gateway, built as `npm run serve` builds it.
run(npm, ['run', '--silent', 'build:headless'], { stdio: ['ignore', 'ignore', 'inherit'] });

// 4. The tests.
const vitest = spawnSync(
  process.execPath,
  [
    path.join(root, 'node_modules', 'vitest', 'vitest.mjs'),
    'run',
    '--config',
    'vitest.clients.config.mts',
    ...process.argv.slice(2),
  ],
  { stdio: 'inherit', cwd: root, env: { ...process.env, SLUICE_CLIENTS_DIR: clientsDir } },
);
console.log(`test:clients: finished in ${((Date.now() - started) / 1000).toFixed(1)} s`);
process.exit(vitest.status ?? 1);
