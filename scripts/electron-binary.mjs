// Fetches Electron's binary for `npm start`: the project's postinstall runs this instead of electron's own
// postinstall (package.json `allowScripts` denies that one), so an install where the binary cannot be
// downloaded (a proxy, an offline mirror) still succeeds: the gateway (`npm run serve`), the CLI and the
// tests need no Electron. It runs electron's own installer (node_modules/electron/install.js, which honours
// ELECTRON_MIRROR, ELECTRON_SKIP_BINARY_DOWNLOAD and the rest of @electron/get's settings) and, when that
// fails, prints one line and exits 0 as a postinstall (1 when run by hand).
import { spawnSync } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
const electronDir = path.join(root, 'node_modules', 'electron');
/** The download is ~110 MB; past this the installer is stopped and the install goes on without it. */
const DOWNLOAD_TIMEOUT_MS = 10 * 60_000;
const asPostinstall = process.env.npm_lifecycle_event === 'postinstall';

const say = (line) => console.log(`electron-binary: ${line}`);

/** The binary install.js leaves: dist/version is this version and path.txt names an existing file. */
function installed(version) {
  try {
    const distVersion = fs.readFileSync(path.join(electronDir, 'dist', 'version'), 'utf8');
    const exe = fs.readFileSync(path.join(electronDir, 'path.txt'), 'utf8');
    return distVersion.replace(/^v/, '') === version && fs.existsSync(path.join(electronDir, 'dist', exe));
  } catch {
    return false;
  }
}

/** The line of the installer's output that says what went wrong (its error, not its stack). */
function reason(result) {
  if (result.error?.code === 'ETIMEDOUT') return `no answer within ${DOWNLOAD_TIMEOUT_MS / 60_000} min`;
  if (result.error) return result.error.message;
  const lines = `${result.stderr ?? ''}\n${result.stdout ?? ''}`
    .split('\n')
    .map((l) => l.trim())
    .filter((l) => l !== '' && !l.startsWith('at '));
  return lines.find((l) => /error/i.test(l)) ?? lines[0] ?? `exit code ${result.status}`;
}

function main() {
  const pkg = path.join(electronDir, 'package.json');
  if (!fs.existsSync(pkg)) {
    say(
      'electron is not installed, so there is no binary to fetch (npm start needs it; npm run serve does not)',
    );
    return asPostinstall ? 0 : 1;
  }
  const { version } = JSON.parse(fs.readFileSync(pkg, 'utf8'));
  if (process.env.ELECTRON_SKIP_BINARY_DOWNLOAD) {
    say(`ELECTRON_SKIP_BINARY_DOWNLOAD is set: not fetching Electron ${version} (npm start needs it)`);
    return 0;
  }
  if (installed(version)) return 0;

  const result = spawnSync(process.execPath, [path.join(electronDir, 'install.js')], {
    cwd: electronDir,
    encoding: 'utf8',
    stdio: ['ignore', 'pipe', 'pipe'],
    timeout: DOWNLOAD_TIMEOUT_MS,
    killSignal: 'SIGKILL',
    maxBuffer: 1024 * 1024,
  });
  if (result.status === 0 && installed(version)) {
    say(`Electron ${version} binary installed (node_modules/electron/dist)`);
    return 0;
  }
  say(
    `could not download Electron ${version}'s binary (${reason(result)}); the install goes on without it: ` +
      'npm run serve, npm run sluice and npm test do not need it, npm start does ' +
      '(retry: node scripts/electron-binary.mjs; a mirror: ELECTRON_MIRROR=…)',
  );
  return asPostinstall ? 0 : 1;
}

process.exitCode = main();
