// Makes better-sqlite3 for Electron's ABI, kept apart from node_modules/better-sqlite3/build (which stays
// compiled for Node so the tests keep working). `npm start` runs this before `electron-vite dev`; the main
// process passes the result to startApp() as `nativeBinding`.
import { spawnSync } from 'node:child_process';
import fs from 'node:fs';
import { createRequire } from 'node:module';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
const electronDir = path.join(root, 'node_modules', 'electron');
const sqliteDir = path.join(root, 'node_modules', 'better-sqlite3');
const { platform, arch } = process;
const onWindows = platform === 'win32';

const say = (line) => console.log(`electron-native: ${line}`);
const complain = (line) => console.error(`electron-native: ${line}`);
const readVersion = (dir) => JSON.parse(fs.readFileSync(path.join(dir, 'package.json'), 'utf8')).version;

/** Runs a command in `cwd` with inherited output; true when it exits 0. */
function run(command, args, cwd, env = process.env) {
  return spawnSync(command, args, { cwd, env, stdio: 'inherit', shell: onWindows }).status === 0;
}

/** prebuild-install as installed beside better-sqlite3 (its dependency), else whatever npx finds. */
function prebuildInstall() {
  try {
    return [
      process.execPath,
      [createRequire(path.join(sqliteDir, 'package.json')).resolve('prebuild-install/bin.js')],
    ];
  } catch {
    return ['npx', ['--yes', 'prebuild-install']];
  }
}

/** npm's own node-gyp: named in npm_config_node_gyp when npm runs this script, else by `npm config get`. */
function nodeGyp() {
  const fromEnv = process.env.npm_config_node_gyp;
  if (fromEnv && fs.existsSync(fromEnv)) return fromEnv;
  const asked = spawnSync('npm', ['config', 'get', 'node-gyp'], { encoding: 'utf8', shell: onWindows });
  const fromNpm = asked.status === 0 ? asked.stdout.trim() : '';
  return fromNpm && fs.existsSync(fromNpm) ? fromNpm : undefined;
}

/** True when plain Node can load the binary, i.e. it was built for Node's ABI rather than Electron's. */
function loadsInNode(file) {
  const code = 'process.dlopen({ exports: {} }, process.argv[1])';
  return spawnSync(process.execPath, ['-e', code, file], { stdio: 'ignore' }).status === 0;
}

/** Fills `pkgDir/build/Release/better_sqlite3.node` for Electron `version`: prebuilt download, else compile. */
function obtain(pkgDir, built, version) {
  const electronArgs = ['--runtime=electron', `--target=${version}`, `--arch=${arch}`];

  say(`downloading the prebuilt binary for Electron ${version} ${platform}-${arch} (prebuild-install)`);
  const [prebuild, prebuildArgs] = prebuildInstall();
  if (
    run(prebuild, [...prebuildArgs, ...electronArgs, `--platform=${platform}`], pkgDir) &&
    fs.existsSync(built)
  ) {
    return true;
  }

  say('no prebuilt binary; compiling with node-gyp against the Electron headers (needs a C++ toolchain)');
  const gyp = nodeGyp();
  if (gyp === undefined) {
    complain('node-gyp not found (it ships with npm)');
    return false;
  }
  // A `nodedir` npm setting (Debian's npm sets /usr) would make node-gyp quietly use Node's headers instead.
  const env = Object.fromEntries(
    Object.entries(process.env).filter(([k]) => k.toLowerCase() !== 'npm_config_nodedir'),
  );
  const args = ['rebuild', '--release', ...electronArgs, '--dist-url=https://electronjs.org/headers'];
  return run(process.execPath, [gyp, ...args], pkgDir, env) && fs.existsSync(built);
}

function main() {
  if (!fs.existsSync(path.join(electronDir, 'package.json')) || !fs.existsSync(sqliteDir)) {
    complain('electron or better-sqlite3 is not installed; run npm install first');
    return 1;
  }
  const version = readVersion(electronDir);
  if (!fs.existsSync(path.join(electronDir, 'path.txt'))) {
    // The install went on without the binary (scripts/electron-binary.mjs said why): one line, and what works.
    complain(
      `Electron ${version}'s binary is not installed, so there is no window to open; without it, npm run serve runs the gateway and prints the link to its dashboard (the same screens in a browser); to fetch Electron: node scripts/electron-binary.mjs`,
    );
    return 1;
  }

  // The same path electronNativeBinding() in src/main/shell/index.ts computes (there app.getAppPath() is this
  // project root and process.versions.electron this version): change both together.
  const target = path.join(
    root,
    '.sluice-native',
    `electron-${version}-${platform}-${arch}`,
    'better_sqlite3.node',
  );
  const shown = path.relative(root, target);
  if (fs.existsSync(target)) {
    say(`${shown} exists, nothing to do`);
    return 0;
  }

  const work = fs.mkdtempSync(path.join(os.tmpdir(), 'sluice-native-'));
  try {
    const pkgDir = path.join(work, 'better-sqlite3');
    const built = path.join(pkgDir, 'build', 'Release', 'better_sqlite3.node');

    say(`copying better-sqlite3 ${readVersion(sqliteDir)} (without build/) to ${pkgDir}`);
    const skip = new Set([path.join(sqliteDir, 'build'), path.join(sqliteDir, 'node_modules')]);
    fs.cpSync(sqliteDir, pkgDir, { recursive: true, filter: (src) => !skip.has(src) });

    if (!obtain(pkgDir, built, version)) {
      complain(`could not get better-sqlite3 for Electron ${version}; see the output above`);
      return 1;
    }
    if (loadsInNode(built)) {
      complain(`the binary came out built for Node's ABI, not Electron ${version}'s; not using it`);
      return 1;
    }

    say(`copying the binary to ${shown}`);
    fs.mkdirSync(path.dirname(target), { recursive: true });
    // Copy then rename, so an interrupted run never leaves a truncated binary that looks finished.
    fs.copyFileSync(built, `${target}.partial`);
    fs.renameSync(`${target}.partial`, target);
    return 0;
  } finally {
    fs.rmSync(work, { recursive: true, force: true });
  }
}

process.exitCode = main();
