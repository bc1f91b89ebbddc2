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

const say = (line) => console.log(`electron-native: ${line}`);
const readVersion = (dir) => JSON.parse(fs.readFileSync(path.join(dir, 'package.json'), 'utf8')).version;

/** Runs a command in `cwd` with inherited output; true when it exits 0. */
function run(command, args, cwd) {
  const result = spawnSync(command, args, { cwd, stdio: 'inherit', shell: platform === 'win32' });
  return result.status === 0;
}

/** npm's own node-gyp (npm sets npm_config_node_gyp for scripts), else whatever npx finds. */
function nodeGyp() {
  const bundled = process.env.npm_config_node_gyp;
  if (bundled && fs.existsSync(bundled)) return [process.execPath, [bundled]];
  return ['npx', ['--yes', 'node-gyp']];
}

/** prebuild-install as installed next to better-sqlite3 (its dependency), else whatever npx finds. */
function prebuildInstall() {
  try {
    const bin = createRequire(path.join(sqliteDir, 'package.json')).resolve('prebuild-install/bin.js');
    return [process.execPath, [bin]];
  } catch {
    return ['npx', ['--yes', 'prebuild-install']];
  }
}

function main() {
  if (!fs.existsSync(path.join(electronDir, 'package.json')) || !fs.existsSync(sqliteDir)) {
    console.error('electron-native: electron or better-sqlite3 is not installed; run npm install first');
    return 1;
  }
  const version = readVersion(electronDir);
  if (!fs.existsSync(path.join(electronDir, 'dist'))) {
    console.error(
      `electron-native: the Electron ${version} binary is absent (node_modules/electron/dist; installed with ELECTRON_SKIP_BINARY_DOWNLOAD?), so npm start cannot open a window; fetch it with: node node_modules/electron/install.js`,
    );
    return 1;
  }

  // Same path as electronNativeBinding() in src/main/index.ts computes (there app.getAppPath() is this
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
    const electronArgs = ['--runtime=electron', `--target=${version}`, `--arch=${arch}`];

    say(`copying better-sqlite3 ${readVersion(sqliteDir)} (without build/) to ${pkgDir}`);
    const skip = new Set([path.join(sqliteDir, 'build'), path.join(sqliteDir, 'node_modules')]);
    fs.cpSync(sqliteDir, pkgDir, { recursive: true, filter: (src) => !skip.has(src) });

    say(`downloading the prebuilt binary for Electron ${version} ${platform}-${arch} (prebuild-install)`);
    const [prebuild, prebuildArgs] = prebuildInstall();
    let ok =
      run(prebuild, [...prebuildArgs, ...electronArgs, `--platform=${platform}`], pkgDir) &&
      fs.existsSync(built);

    if (!ok) {
      say(
        'no prebuilt binary; compiling from source with node-gyp against the Electron headers (needs a C++ toolchain)',
      );
      const [gyp, gypArgs] = nodeGyp();
      const args = ['rebuild', '--release', ...electronArgs, '--dist-url=https://electronjs.org/headers'];
      ok = run(gyp, [...gypArgs, ...args], pkgDir) && fs.existsSync(built);
    }
    if (!ok) {
      console.error(
        `electron-native: could not get better-sqlite3 for Electron ${version}; see the output above`,
      );
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
