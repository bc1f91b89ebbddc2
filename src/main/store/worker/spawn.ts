import fs from 'node:fs';
import path from 'node:path';
import { Worker } from 'node:worker_threads';
import type { StoreWorkerData } from './protocol';

/*
 * Where the store worker's code is. Both builds (electron.vite.config.ts for out/main,
 * vite.headless.config.mts for out/headless) emit it as its own entry, `store-worker.js`, next to the
 * bundle that starts it. Tests import the TypeScript sources, which Node 20 cannot run: there a tiny
 * CommonJS bootstrap bundles `store-worker.ts` with rolldown (Vite's own bundler, already installed)
 * in the worker, once per worker, and runs the result. The product never takes that path.
 */

export const WORKER_FILE = 'store-worker.js';

// Plain CommonJS run by `new Worker(..., { eval: true })` in tests only. The bundle is cached in the temp
// folder and rebuilt when any file in it is newer, so a suite's many workers bundle once.
const SOURCE_BOOTSTRAP = `
const crypto = require('node:crypto');
const fs = require('node:fs');
const Module = require('node:module');
const os = require('node:os');
const path = require('node:path');
const { workerData } = require('node:worker_threads');
const entry = workerData.sourceEntry;
const dir = path.join(os.tmpdir(), 'sluice-store-worker');
const name = crypto.createHash('sha256').update(entry).digest('hex').slice(0, 16);
const codeFile = path.join(dir, name + '.cjs');
const listFile = path.join(dir, name + '.json');
const run = (code) => {
  const m = new Module(entry, null);
  m.filename = entry + '.cjs';
  m.paths = Module._nodeModulePaths(path.dirname(entry));
  m._compile(code, m.filename);
};
const cached = () => {
  try {
    const built = fs.statSync(codeFile).mtimeMs;
    const modules = JSON.parse(fs.readFileSync(listFile, 'utf8'));
    return modules.every((f) => fs.statSync(f).mtimeMs < built) ? fs.readFileSync(codeFile, 'utf8') : null;
  } catch {
    return null;
  }
};
const writeAtomic = (file, text) => {
  const tmp = file + '.' + process.pid + '.' + require('node:worker_threads').threadId;
  fs.writeFileSync(tmp, text);
  fs.renameSync(tmp, file);
};
const builtins = new Set([...Module.builtinModules, ...Module.builtinModules.map((m) => 'node:' + m)]);
const code = cached();
if (code !== null) run(code);
else
  Module.createRequire(entry)('rolldown')
    .build({
      input: entry,
      platform: 'node',
      write: false,
      logLevel: 'silent',
      external: (id) => builtins.has(id) || id === 'better-sqlite3',
      output: { format: 'cjs' },
    })
    .then(({ output }) => {
      const chunk = output[0];
      fs.mkdirSync(dir, { recursive: true });
      writeAtomic(codeFile, chunk.code);
      writeAtomic(listFile, JSON.stringify(chunk.moduleIds.filter((id) => path.isAbsolute(id))));
      run(chunk.code);
    })
    .catch((err) => {
      setImmediate(() => {
        throw err;
      });
    });
`;

/** The built worker beside this bundle (or one folder up, when this code sits in a chunk folder). */
function builtEntry(): string {
  const candidates = [path.join(__dirname, WORKER_FILE), path.join(__dirname, '..', WORKER_FILE)];
  const found = candidates.find((f) => fs.existsSync(f));
  if (found === undefined)
    throw new Error(`the store worker is missing (looked for ${candidates.join(', ')})`);
  return found;
}

/** Starts a store worker; throws when its code cannot be found. */
export function spawnStoreWorker(data: StoreWorkerData): Worker {
  if (__filename.endsWith('.ts')) {
    const sourceEntry = path.join(__dirname, 'store-worker.ts');
    return new Worker(SOURCE_BOOTSTRAP, { eval: true, workerData: { ...data, sourceEntry } });
  }
  return new Worker(builtEntry(), { workerData: data });
}
