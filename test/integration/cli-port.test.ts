import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { spawn } from 'node:child_process';
import fs from 'node:fs';
import net from 'node:net';
import os from 'node:os';
import path from 'node:path';
import { startApp } from '../../src/main/app/app';
import { buildHeadless } from '../support/headless-build';

const tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'sluice-cli-port-'));
const dataDir = path.join(tmp, 'data');
let cli = '';
let removeBuild = (): void => {};

/** Runs `sluice serve` until it printed its two lines, then stops it; resolves with those lines. */
function serveLines(args: string[]): Promise<string[]> {
  const child = spawn(process.execPath, [cli, 'serve', '--data-dir', dataDir, ...args], {
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let err = '';
  child.stderr.on('data', (d: Buffer) => (err += d.toString()));
  return new Promise((resolve, reject) => {
    let out = '';
    let printed: string[] | null = null;
    child.stdout.on('data', (d: Buffer) => {
      out += d.toString();
      const lines = out.split('\n');
      if (printed === null && lines.length > 2) {
        printed = lines.slice(0, 2);
        child.kill('SIGTERM');
      }
    });
    child.once('exit', () =>
      printed === null ? reject(new Error(`exited early: ${err}`)) : resolve(printed),
    );
  });
}

async function freePort(): Promise<number> {
  const probe = net.createServer();
  await new Promise<void>((r) => probe.listen(0, '127.0.0.1', r));
  const port = (probe.address() as net.AddressInfo).port;
  await new Promise<void>((r) => probe.close(() => r()));
  return port;
}

describe('sluice serve: which port', () => {
  beforeAll(() => {
    ({ cli, remove: removeBuild } = buildHeadless('test-cli-port'));
  });
  afterAll(() => {
    fs.rmSync(tmp, { recursive: true, force: true });
    removeBuild();
  });

  it('listens on the port saved in Settings without --port, on --port when given, and prints both lines right', async () => {
    // Save a port the way the Settings screen does: by moving a running Sluice there.
    const app = await startApp({ dataDir, port: 0, host: '127.0.0.1', log: () => {} });
    const port = await freePort();
    const moved = await app.control.api.call('gateway.setPort', { port });
    expect(moved).toEqual({ ok: true, value: { port, url: `http://127.0.0.1:${port}` } });
    const token = app.token;
    await app.close(500);

    const saved = await serveLines([]);
    expect(saved).toEqual([
      `Sluice listening on http://127.0.0.1:${port}`,
      `Sluice dashboard: http://127.0.0.1:${port}/_sluice/?token=${token}`,
    ]);

    const given = await serveLines(['--port', '0']);
    expect(given[0]).toMatch(/^Sluice listening on http:\/\/127\.0\.0\.1:\d+$/);
    expect(given[0]).not.toBe(saved[0]);
  });
});
