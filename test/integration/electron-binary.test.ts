/**
 * scripts/electron-binary.mjs, the project's postinstall, run as npm runs it against a copy of the installed
 * electron package, with Electron's download pointed (ELECTRON_MIRROR) at a loopback mirror: one that
 * serves a zip in the shape of Electron's release, one that refuses, and none at all.
 */
import { execFile } from 'node:child_process';
import crypto from 'node:crypto';
import fs from 'node:fs';
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import os from 'node:os';
import path from 'node:path';
import zlib from 'node:zlib';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';

const ROOT = path.resolve(__dirname, '../..');
const VERSION = (
  JSON.parse(fs.readFileSync(path.join(ROOT, 'node_modules/electron/package.json'), 'utf8')) as {
    version: string;
  }
).version;

/** A zip of stored (uncompressed) files, as Electron's release zips are read by extract-zip. */
function zip(files: Record<string, string>): Buffer {
  const locals: Buffer[] = [];
  const centrals: Buffer[] = [];
  let offset = 0;
  for (const [name, text] of Object.entries(files)) {
    const data = Buffer.from(text);
    const nameBuf = Buffer.from(name);
    const crc = zlib.crc32(data);
    const local = Buffer.alloc(30);
    local.writeUInt32LE(0x04034b50, 0);
    local.writeUInt16LE(20, 4);
    local.writeUInt32LE(crc, 14);
    local.writeUInt32LE(data.length, 18);
    local.writeUInt32LE(data.length, 22);
    local.writeUInt16LE(nameBuf.length, 26);
    const central = Buffer.alloc(46);
    central.writeUInt32LE(0x02014b50, 0);
    central.writeUInt16LE((3 << 8) | 20, 4); // made by Unix, so the mode below counts
    central.writeUInt16LE(20, 6);
    central.writeUInt32LE(crc, 16);
    central.writeUInt32LE(data.length, 20);
    central.writeUInt32LE(data.length, 24);
    central.writeUInt16LE(nameBuf.length, 28);
    central.writeUInt32LE((0o100755 << 16) >>> 0, 38);
    central.writeUInt32LE(offset, 42);
    locals.push(local, nameBuf, data);
    centrals.push(central, nameBuf);
    offset += local.length + nameBuf.length + data.length;
  }
  const cd = Buffer.concat(centrals);
  const end = Buffer.alloc(22);
  end.writeUInt32LE(0x06054b50, 0);
  end.writeUInt16LE(centrals.length / 2, 8);
  end.writeUInt16LE(centrals.length / 2, 10);
  end.writeUInt32LE(cd.length, 12);
  end.writeUInt32LE(offset, 16);
  return Buffer.concat([...locals, cd, end]);
}

const ZIP = zip({ electron: '#!/bin/sh\necho fake electron\n', version: VERSION });
const ZIP_NAME = `electron-v${VERSION}-${process.platform}-${process.arch}.zip`;

let mirror: http.Server;
let mirrorUrl: string;
let refusing = false;
const asked: string[] = [];
let work: string;

beforeAll(async () => {
  mirror = http.createServer((req, res) => {
    asked.push(req.url ?? '');
    if (refusing) {
      res.writeHead(404).end('not here');
    } else if (req.url === `/v${VERSION}/${ZIP_NAME}`) {
      res.writeHead(200, { 'content-type': 'application/zip' }).end(ZIP);
    } else if (req.url === `/v${VERSION}/SHASUMS256.txt`) {
      const sum = crypto.createHash('sha256').update(ZIP).digest('hex');
      res.writeHead(200).end(`${sum} *${ZIP_NAME}\n`);
    } else {
      res.writeHead(404).end();
    }
  });
  await new Promise<void>((resolve) => mirror.listen(0, '127.0.0.1', resolve));
  mirrorUrl = `http://127.0.0.1:${(mirror.address() as AddressInfo).port}/`;
});

afterAll(() => new Promise<void>((resolve) => mirror.close(() => resolve())));

afterEach(() => {
  fs.rmSync(work, { recursive: true, force: true });
  asked.length = 0;
  refusing = false;
});

/**
 * A project in a temp dir: the script, a copy of the electron package without its binary, and its two
 * dependencies linked from this install. Returns the project's root.
 */
function project(): string {
  work = fs.mkdtempSync(path.join(os.tmpdir(), 'sluice-electron-binary-'));
  fs.mkdirSync(path.join(work, 'scripts'));
  fs.copyFileSync(
    path.join(ROOT, 'scripts/electron-binary.mjs'),
    path.join(work, 'scripts/electron-binary.mjs'),
  );
  const from = path.join(ROOT, 'node_modules/electron');
  const skip = new Set([path.join(from, 'dist'), path.join(from, 'path.txt')]);
  fs.cpSync(from, path.join(work, 'node_modules/electron'), { recursive: true, filter: (f) => !skip.has(f) });
  for (const dep of ['@electron', 'extract-zip']) {
    fs.symlinkSync(path.join(ROOT, 'node_modules', dep), path.join(work, 'node_modules', dep));
  }
  return work;
}

interface Run {
  code: number;
  stdout: string;
  stderr: string;
}

/** Runs the script as npm's postinstall would (or by hand), with a download cache of its own. */
function run(root: string, env: Record<string, string>, asPostinstall = true): Promise<Run> {
  const clean = Object.fromEntries(
    Object.entries(process.env).filter(([k]) => !/^(ELECTRON_|electron_|npm_)/i.test(k)),
  );
  return new Promise((resolve) => {
    execFile(
      process.execPath,
      [path.join(root, 'scripts/electron-binary.mjs')],
      {
        cwd: root,
        timeout: 60_000,
        env: {
          ...clean,
          electron_config_cache: path.join(root, 'electron-cache'),
          ELECTRON_MIRROR: mirrorUrl,
          ...(asPostinstall ? { npm_lifecycle_event: 'postinstall' } : {}),
          ...env,
        },
      },
      (err, stdout, stderr) => resolve({ code: err ? Number(err.code ?? 1) : 0, stdout, stderr }),
    );
  });
}

describe.runIf(process.platform === 'linux')('the postinstall that fetches Electron', () => {
  it('installs the binary from the mirror, checked against its SHASUMS256.txt, and says so in one line', async () => {
    const root = project();
    const r = await run(root, { electron_use_remote_checksums: '1' });
    expect(r).toMatchObject({ code: 0, stderr: '' });
    expect(r.stdout).toBe(
      `electron-binary: Electron ${VERSION} binary installed (node_modules/electron/dist)\n`,
    );
    const dir = path.join(root, 'node_modules/electron');
    expect(fs.readFileSync(path.join(dir, 'path.txt'), 'utf8')).toBe('electron');
    expect(fs.readFileSync(path.join(dir, 'dist/electron'), 'utf8')).toContain('fake electron');
    expect(asked).toContain(`/v${VERSION}/${ZIP_NAME}`);

    // Installed: a second run asks the mirror nothing and prints nothing.
    asked.length = 0;
    expect(await run(root, { electron_use_remote_checksums: '1' })).toEqual({
      code: 0,
      stdout: '',
      stderr: '',
    });
    expect(asked).toEqual([]);
  });

  it("refuses a zip that does not match electron's own checksums (no remote checksums asked for)", async () => {
    const r = await run(project(), {});
    expect(r.code).toBe(0);
    expect(r.stdout.trim().split('\n')).toHaveLength(1);
    expect(r.stdout).toMatch(/could not download Electron .*checksum/i);
    expect(fs.existsSync(path.join(work, 'node_modules/electron/path.txt'))).toBe(false);
  });

  it('when the download fails, lets the install go on with one line naming the cause and what still works', async () => {
    refusing = true;
    const root = project();
    const r = await run(root, { electron_use_remote_checksums: '1' });
    expect(r).toMatchObject({ code: 0, stderr: '' });
    const lines = r.stdout.trim().split('\n');
    expect(lines).toHaveLength(1);
    expect(lines[0]).toMatch(
      new RegExp(
        `^electron-binary: could not download Electron ${VERSION.replace(/\./g, '\\.')}'s binary \\(.*404`,
      ),
    );
    expect(lines[0]).toContain('npm run serve, npm run sluice and npm test do not need it, npm start does');
    expect(asked.length).toBeGreaterThan(0);
    // Run by hand, the same failure is an exit code.
    expect((await run(root, { electron_use_remote_checksums: '1' }, false)).code).toBe(1);
  });

  it('with no mirror listening at all, the install still goes on', async () => {
    const closed = http.createServer();
    await new Promise<void>((resolve) => closed.listen(0, '127.0.0.1', resolve));
    const port = (closed.address() as AddressInfo).port;
    await new Promise<void>((resolve) => closed.close(() => resolve()));
    const r = await run(project(), { ELECTRON_MIRROR: `http://127.0.0.1:${port}/` });
    expect(r.code).toBe(0);
    expect(r.stdout).toMatch(/could not download .*ECONNREFUSED/);
  });

  it('ELECTRON_SKIP_BINARY_DOWNLOAD skips the download, saying so, and asks the mirror nothing', async () => {
    const r = await run(project(), { ELECTRON_SKIP_BINARY_DOWNLOAD: '1' });
    expect(r).toEqual({
      code: 0,
      stdout: `electron-binary: ELECTRON_SKIP_BINARY_DOWNLOAD is set: not fetching Electron ${VERSION} (npm start needs it)\n`,
      stderr: '',
    });
    expect(asked).toEqual([]);
  });
});
