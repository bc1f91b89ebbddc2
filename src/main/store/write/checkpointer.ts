import type BetterSqlite3 from 'better-sqlite3';
import { createRequire } from 'node:module';
import { Worker } from 'node:worker_threads';

/*
 * SQLite folds the WAL back into the database (a checkpoint: page copies and an fsync) inside the
 * commit that crosses 1 000 WAL pages, on whatever thread committed. For the app's connection that
 * thread also relays every stream, and a checkpoint there costs tens of milliseconds. So the app's
 * connection never checkpoints; a worker thread with its own connection runs a PASSIVE checkpoint
 * (it never blocks the writer) every second instead. Should the worker fail, the connection's
 * automatic checkpoints are turned back on, so the WAL can never grow without end.
 */

// Plain CommonJS run by `new Worker(..., { eval: true })`, so no bundler has to know about a second entry.
const WORKER_SOURCE = `
const { parentPort, workerData } = require('node:worker_threads');
const Database = require(workerData.modulePath);
const options = { timeout: 0 };
if (workerData.nativeBinding) options.nativeBinding = workerData.nativeBinding;
const db = new Database(workerData.file, options);
let last = '';
const timer = setInterval(() => {
  try {
    db.pragma('wal_checkpoint(PASSIVE)');
    last = '';
  } catch (err) {
    const message = String((err && err.message) || err);
    if (message !== last) parentPort.postMessage(message);
    last = message;
  }
}, workerData.intervalMs);
parentPort.on('message', () => {
  clearInterval(timer);
  db.close();
  parentPort.close();
});
`;

export interface CheckpointerOptions {
  /** Passed on to better-sqlite3 in the worker (Electron's ABI). */
  nativeBinding?: string;
  /** How often the worker checkpoints, in ms (default 1000). */
  intervalMs?: number;
  /** Told about a failing checkpoint (once per distinct message) or a worker that died. */
  onError?: (message: string) => void;
}

/** SQLite's own default, restored on the app's connection when the worker is gone. */
const AUTO_CHECKPOINT_PAGES = 1000;

/** Moves WAL checkpoints of `db` off the calling thread for as long as it runs. */
export class Checkpointer {
  private readonly worker: Worker | null;
  private stopped = false;

  constructor(
    private readonly db: BetterSqlite3.Database,
    opts: CheckpointerOptions = {},
  ) {
    const onError = opts.onError ?? (() => {});
    let worker: Worker | null = null;
    try {
      worker = new Worker(WORKER_SOURCE, {
        eval: true,
        workerData: {
          modulePath: createRequire(__filename).resolve('better-sqlite3'),
          file: db.name,
          nativeBinding: opts.nativeBinding ?? null,
          intervalMs: opts.intervalMs ?? 1000,
        },
      });
    } catch (err) {
      onError(
        `WAL checkpoints stay on the main thread (${err instanceof Error ? err.message : String(err)})`,
      );
    }
    this.worker = worker;
    if (worker === null) return;
    worker.unref();
    db.pragma('wal_autocheckpoint = 0');
    worker.on('message', (m: unknown) => onError(`background WAL checkpoint failed: ${String(m)}`));
    const fallBack = (why: string): void => {
      if (this.stopped || !db.open) return;
      this.stopped = true;
      db.pragma(`wal_autocheckpoint = ${AUTO_CHECKPOINT_PAGES}`);
      onError(`background WAL checkpoints stopped (${why}); checkpointing on the main thread again`);
    };
    worker.on('error', (err) => fallBack(err.message));
    worker.on('exit', (code) => fallBack(`worker exited with code ${code}`));
  }

  /** True while the worker does the checkpoints. */
  get running(): boolean {
    return this.worker !== null && !this.stopped;
  }

  /** Stops the worker and gives checkpoints back to the connection; resolves once the worker is gone. */
  async stop(): Promise<void> {
    if (this.worker === null || this.stopped) return;
    this.stopped = true;
    if (this.db.open) this.db.pragma(`wal_autocheckpoint = ${AUTO_CHECKPOINT_PAGES}`);
    const exited = new Promise<void>((resolve) => this.worker!.once('exit', () => resolve()));
    // Unref'd, the worker would let the process end right here, before its exit (and whatever the
    // caller does after it, like closing the database) ever ran.
    this.worker.ref();
    this.worker.postMessage('stop');
    await exited;
  }
}
