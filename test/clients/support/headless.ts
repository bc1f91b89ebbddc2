import { execFile, spawn, type ChildProcess } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import type { UsageRow } from '../../../src/shared/usage';

/** The built headless entry (`npm run build:headless`); the clients suite runs the same file a user runs. */
export const HEADLESS_CLI = path.resolve(__dirname, '../../../out/headless/cli.js');

const START_TIMEOUT_MS = 20_000;
const FINAL = new Set(['completed', 'failed', 'aborted']);

export interface HeadlessSluice {
  url: string;
  dataDir: string;
  /** Everything the process printed, for diagnostics. */
  output(): string;
  /** `sluice usage --json` for this data dir. */
  usage(): Promise<UsageRow[]>;
  /** Polls `usage` until `count` rows have a final status (the writer batches rows), at most `timeoutMs`. */
  finishedRows(count: number, timeoutMs?: number): Promise<UsageRow[]>;
  close(): Promise<void>;
}

/** Starts `node out/headless/cli.js serve --port 0 --host HOST` with `config` in a fresh data dir. */
export async function startHeadless(
  config: { providers: unknown[]; settings?: unknown },
  host = '127.0.0.1',
): Promise<HeadlessSluice> {
  if (!fs.existsSync(HEADLESS_CLI)) throw new Error(`${HEADLESS_CLI} is missing: run npm run build:headless`);
  const dataDir = fs.mkdtempSync(path.join(os.tmpdir(), 'sluice-clients-data-'));
  const configFile = path.join(dataDir, 'sluice.json');
  fs.writeFileSync(configFile, JSON.stringify(config, null, 2));
  const child: ChildProcess = spawn(
    process.execPath,
    [HEADLESS_CLI, 'serve', '--port', '0', '--host', host, '--data-dir', dataDir, '--config', configFile],
    { stdio: ['ignore', 'pipe', 'pipe'] },
  );
  let printed = '';
  child.stdout!.on('data', (c: Buffer) => (printed += c.toString('utf8')));
  child.stderr!.on('data', (c: Buffer) => (printed += c.toString('utf8')));
  const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
  const listening = new Promise<string>((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`Sluice did not start:\n${printed}`)), START_TIMEOUT_MS);
    const check = (): void => {
      const m = /Sluice listening on (http:\/\/\S+:\d+)/.exec(printed);
      if (m?.[1] !== undefined) {
        clearTimeout(timer);
        resolve(m[1]);
      }
    };
    child.stdout!.on('data', check);
    child.once('exit', (code) => {
      clearTimeout(timer);
      reject(new Error(`Sluice exited with ${String(code)} before listening:\n${printed}`));
    });
  });
  let url: string;
  try {
    url = await listening;
  } catch (e) {
    child.kill('SIGKILL');
    fs.rmSync(dataDir, { recursive: true, force: true });
    throw e;
  }

  const usage = (): Promise<UsageRow[]> =>
    new Promise((resolve, reject) => {
      execFile(
        process.execPath,
        [HEADLESS_CLI, 'usage', '--json', '--data-dir', dataDir],
        { maxBuffer: 64 * 1024 * 1024 },
        (err, stdout, stderr) => {
          if (err) return reject(new Error(`sluice usage failed: ${err.message}\n${stderr}`));
          try {
            resolve(JSON.parse(stdout) as UsageRow[]);
          } catch (e) {
            reject(new Error(`sluice usage printed no JSON (${String(e)}):\n${stdout.slice(0, 2000)}`));
          }
        },
      );
    });

  return {
    url,
    dataDir,
    output: () => printed,
    usage,
    async finishedRows(count, timeoutMs = 15_000) {
      const deadline = Date.now() + timeoutMs;
      for (;;) {
        const rows = await usage();
        const done = rows.filter((r) => FINAL.has(r.status));
        if (done.length >= count && done.length === rows.length) return rows;
        if (Date.now() > deadline) return rows;
        await new Promise((r) => setTimeout(r, 200));
      }
    },
    async close() {
      if (child.exitCode === null && child.signalCode === null) {
        child.kill('SIGTERM');
        const timer = setTimeout(() => child.kill('SIGKILL'), 5_000);
        await exited;
        clearTimeout(timer);
      }
      fs.rmSync(dataDir, { recursive: true, force: true });
    },
  };
}
