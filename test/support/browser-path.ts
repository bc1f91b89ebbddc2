/**
 * Finds the Chromium the browser tests drive (playwright-core), in this order:
 *   1. CHROMIUM_PATH, when set (it must exist);
 *   2. a system Chromium or Chrome: `chromium`, `chromium-browser`, `google-chrome`, `google-chrome-stable`
 *      on PATH, then their usual install paths;
 *   3. on Linux x64, the Chromium that the dev dependency @sparticuz/chromium ships inside its tarball
 *      (brotli-compressed, with the NSS libraries it links against), unpacked once per version into
 *      `<tmpdir>/sluice-chromium-<version>` (about 200 MB; other versions' folders there are removed);
 *   4. else an error of one line saying how to get one.
 * SLUICE_TEST_BROWSER=system or =npm keeps the search to that one source (CI runs the tests through each).
 */
import fs from 'node:fs';
import { createRequire } from 'node:module';
import os from 'node:os';
import path from 'node:path';
import { pipeline } from 'node:stream/promises';
import zlib from 'node:zlib';

export type BrowserSource = 'CHROMIUM_PATH' | 'system' | 'npm';

export interface FoundBrowser {
  executablePath: string;
  source: BrowserSource;
  /** Extra environment for the browser process (the npm Chromium's own libraries). */
  env: Record<string, string>;
}

export interface BrowserSearch {
  env: NodeJS.ProcessEnv;
  platform: NodeJS.Platform;
  arch: string;
  /** True when `file` exists and is executable. */
  isExecutable: (file: string) => boolean;
  /** The npm-shipped Chromium, unpacked; undefined when the package is not installed. */
  unpackNpm: () => Promise<FoundBrowser | undefined>;
}

const SYSTEM_NAMES = ['chromium', 'chromium-browser', 'google-chrome', 'google-chrome-stable'];

const KNOWN_PATHS: Partial<Record<NodeJS.Platform, string[]>> = {
  linux: [
    '/usr/bin/chromium',
    '/usr/bin/chromium-browser',
    '/usr/bin/google-chrome',
    '/usr/bin/google-chrome-stable',
    '/snap/bin/chromium',
    '/opt/google/chrome/chrome',
  ],
  darwin: [
    '/Applications/Chromium.app/Contents/MacOS/Chromium',
    '/Applications/Google Chrome.app/Contents/MacOS/Google Chrome',
  ],
};

export const NO_BROWSER =
  'No Chromium for the browser tests: install one (Debian/Ubuntu: apt install chromium; macOS: brew install --cask chromium), or set CHROMIUM_PATH=/path/to/chrome; on Linux x64 `npm install` brings one (@sparticuz/chromium)';

function isExecutable(file: string): boolean {
  try {
    fs.accessSync(file, fs.constants.X_OK);
    return fs.statSync(file).isFile();
  } catch {
    return false;
  }
}

function systemBrowser(search: BrowserSearch): string | undefined {
  const dirs = (search.env.PATH ?? '').split(path.delimiter).filter((d) => d !== '');
  for (const name of SYSTEM_NAMES) {
    for (const dir of dirs) {
      const file = path.join(dir, name);
      if (search.isExecutable(file)) return file;
    }
  }
  return (KNOWN_PATHS[search.platform] ?? []).find((file) => search.isExecutable(file));
}

/** The search itself, with everything it looks at passed in (the unit test fakes them). */
export async function findBrowserWith(search: BrowserSearch): Promise<FoundBrowser> {
  const fromEnv = search.env.CHROMIUM_PATH;
  if (fromEnv !== undefined && fromEnv !== '') {
    if (!search.isExecutable(fromEnv)) throw new Error(`CHROMIUM_PATH=${fromEnv} is not an executable file`);
    return { executablePath: fromEnv, source: 'CHROMIUM_PATH', env: {} };
  }
  const only = search.env.SLUICE_TEST_BROWSER;
  if (only !== undefined && only !== '' && only !== 'system' && only !== 'npm') {
    throw new Error(`SLUICE_TEST_BROWSER=${only} is neither 'system' nor 'npm'`);
  }
  if (only !== 'npm') {
    const system = systemBrowser(search);
    if (system !== undefined) return { executablePath: system, source: 'system', env: {} };
  }
  if (only !== 'system' && search.platform === 'linux' && search.arch === 'x64') {
    const shipped = await search.unpackNpm();
    if (shipped !== undefined) return shipped;
  }
  throw new Error(
    only === undefined || only === '' ? NO_BROWSER : `${NO_BROWSER} (SLUICE_TEST_BROWSER=${only})`,
  );
}

/** The folder of the installed @sparticuz/chromium package (its exports hide package.json), if any. */
function npmChromiumDir(): string | undefined {
  let dir: string;
  try {
    dir = path.dirname(createRequire(__filename).resolve('@sparticuz/chromium'));
  } catch {
    return undefined;
  }
  for (; dir !== path.dirname(dir); dir = path.dirname(dir)) {
    if (fs.existsSync(path.join(dir, 'package.json')) && fs.existsSync(path.join(dir, 'bin'))) return dir;
  }
  return undefined;
}

/** tar-fs as @sparticuz/chromium installs it (its own dependency, used the same way it uses it). */
function tarExtract(pkgDir: string, into: string): NodeJS.WritableStream {
  const tarFs = createRequire(path.join(pkgDir, 'package.json'))('tar-fs') as {
    extract: (dir: string) => NodeJS.WritableStream;
  };
  return tarFs.extract(into);
}

/**
 * Unpacks the package's Chromium (and the libraries it links against) into `cacheRoot`, once per version.
 * Each process writes to its own temporary folder and renames it into place, so parallel test files
 * never see a half-written binary.
 */
export async function unpackNpmChromium(cacheRoot = os.tmpdir()): Promise<FoundBrowser | undefined> {
  const pkgDir = npmChromiumDir();
  if (pkgDir === undefined) return undefined;
  const { version } = JSON.parse(fs.readFileSync(path.join(pkgDir, 'package.json'), 'utf8')) as {
    version: string;
  };
  const name = `sluice-chromium-${version}`;
  const home = path.join(cacheRoot, name);
  // This build (chrome-headless-shell) reports navigator.language 'en-US@posix' under LANG=C or no LANG, a
  // tag Intl rejects (uPlot formats with it as it loads); Debian's Chromium says 'en-US' there.
  const lang = process.env.LANG ?? '';
  const posix = lang === '' || lang === 'POSIX' || lang === 'C' || lang.startsWith('C.');
  const found = (): FoundBrowser => ({
    executablePath: path.join(home, 'chromium'),
    source: 'npm',
    env: { LD_LIBRARY_PATH: path.join(home, 'lib'), ...(posix ? { LANG: 'en_US.UTF-8' } : {}) },
  });
  if (isExecutable(path.join(home, 'chromium'))) return found();

  const work = fs.mkdtempSync(path.join(cacheRoot, `${name}.partial-`));
  try {
    const bin = path.join(pkgDir, 'bin');
    await pipeline(
      fs.createReadStream(path.join(bin, 'chromium.br')),
      zlib.createBrotliDecompress(),
      fs.createWriteStream(path.join(work, 'chromium'), { mode: 0o755 }),
    );
    await pipeline(
      fs.createReadStream(path.join(bin, 'al2023.tar.br')),
      zlib.createBrotliDecompress(),
      tarExtract(pkgDir, work),
    );
    try {
      fs.renameSync(work, home);
    } catch (err) {
      // Another process got there first; theirs is as good as ours.
      if (!isExecutable(path.join(home, 'chromium'))) throw err;
    }
  } finally {
    fs.rmSync(work, { recursive: true, force: true });
  }
  // Keep one version: remove what other versions unpacked, and what a killed run left half-way (a partial
  // folder of this version older than ten minutes; a younger one may be another process's, still writing).
  const stale = Date.now() - 10 * 60_000;
  for (const entry of fs.readdirSync(cacheRoot)) {
    const file = path.join(cacheRoot, entry);
    const otherVersion = entry.startsWith('sluice-chromium-') && !entry.startsWith(name);
    const leftOver = entry.startsWith(`${name}.partial-`) && fs.statSync(file).mtimeMs < stale;
    if (otherVersion || leftOver) fs.rmSync(file, { recursive: true, force: true });
  }
  return found();
}

let found: Promise<FoundBrowser> | undefined;

/** The browser for this process's tests, searched for once. */
export function findBrowser(): Promise<FoundBrowser> {
  found ??= findBrowserWith({
    env: process.env,
    platform: process.platform,
    arch: process.arch,
    isExecutable,
    unpackNpm: () => unpackNpmChromium(),
  });
  return found;
}
