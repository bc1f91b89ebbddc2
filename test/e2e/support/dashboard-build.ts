import { execFileSync } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';

const ROOT = path.resolve(__dirname, '../../..');
/** Where `npm run build:dashboard` puts the renderer (the gateway serves it at `/_sluice/`). */
export const DASHBOARD_DIR = path.join(ROOT, 'out/renderer');
const LOCK = path.join(ROOT, 'out/.dashboard-build.lock');
const SOURCES = ['src/renderer', 'src/shared', 'package.json'].map((p) => path.join(ROOT, p));

function newestMtime(p: string): number {
  const st = fs.statSync(p);
  if (!st.isDirectory()) return st.mtimeMs;
  let max = st.mtimeMs;
  for (const e of fs.readdirSync(p)) max = Math.max(max, newestMtime(path.join(p, e)));
  return max;
}

/** A development build (React's dev runtime) would make every timing in these tests meaningless. */
function isProductionBuild(): boolean {
  const assets = path.join(DASHBOARD_DIR, 'assets');
  return fs
    .readdirSync(assets)
    .filter((f) => f.endsWith('.js'))
    .every((f) => !fs.readFileSync(path.join(assets, f), 'utf8').includes('jsxDEV'));
}

function fresh(): boolean {
  const index = path.join(DASHBOARD_DIR, 'index.html');
  if (!fs.existsSync(index)) return false;
  const built = fs.statSync(index).mtimeMs;
  return SOURCES.every((s) => newestMtime(s) <= built) && isProductionBuild();
}

const sleep = (ms: number): void => {
  Atomics.wait(new Int32Array(new SharedArrayBuffer(4)), 0, 0, ms);
};

/** This process's own copy of the build (see {@link ensureDashboardBuilt}); made once. */
let snapshot: string | null = null;

/**
 * Builds the renderer with the project's own script unless the build is newer than its sources, and
 * returns this process's own copy of it. E2E files may run in parallel workers, and other test runs in
 * the same tree: a lock directory makes one of them build while the others wait, and the copy (taken
 * under the lock) keeps a later rebuild, which empties out/renderer, from pulling the files from under a
 * page this process is serving.
 */
export function ensureDashboardBuilt(): string {
  if (snapshot !== null) return snapshot;
  fs.mkdirSync(path.dirname(LOCK), { recursive: true });
  const deadline = Date.now() + 120_000;
  for (;;) {
    try {
      fs.mkdirSync(LOCK);
      break;
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code !== 'EEXIST') throw err;
      // A lock older than two minutes belongs to a build that died.
      if (Date.now() - fs.statSync(LOCK).mtimeMs > 120_000) fs.rmSync(LOCK, { recursive: true, force: true });
      if (Date.now() > deadline) throw new Error('timed out waiting for another dashboard build');
      sleep(200);
    }
  }
  try {
    // vitest sets NODE_ENV=test, which Vite would honour with a development React build.
    if (!fresh())
      execFileSync('npm', ['run', '--silent', 'build:dashboard'], {
        cwd: ROOT,
        stdio: 'pipe',
        env: { ...process.env, NODE_ENV: 'production' },
      });
    const copy = fs.mkdtempSync(path.join(os.tmpdir(), 'sluice-dashboard-'));
    fs.cpSync(DASHBOARD_DIR, copy, { recursive: true });
    snapshot = copy;
    process.once('exit', () => fs.rmSync(copy, { recursive: true, force: true }));
  } finally {
    fs.rmSync(LOCK, { recursive: true, force: true });
  }
  return snapshot;
}
