import { describe, expect, it } from 'vitest';
import { findBrowserWith, NO_BROWSER, type BrowserSearch, type FoundBrowser } from '../support/browser-path';

const NPM: FoundBrowser = {
  executablePath: '/tmp/sluice-chromium-1.0.0/chromium',
  source: 'npm',
  env: { LD_LIBRARY_PATH: '/tmp/sluice-chromium-1.0.0/lib' },
};

/** A search over a fake file system: `files` are the executables that exist. */
function search(
  files: string[],
  env: NodeJS.ProcessEnv,
  npm: FoundBrowser | 'not installed' = NPM,
  platform: NodeJS.Platform = 'linux',
): BrowserSearch & { npmCalls: number } {
  const s = {
    env,
    platform,
    arch: 'x64',
    isExecutable: (file: string) => files.includes(file),
    npmCalls: 0,
    unpackNpm: () => {
      s.npmCalls += 1;
      return Promise.resolve(npm === 'not installed' ? undefined : npm);
    },
  };
  return s;
}

describe('the browser finder', () => {
  it('takes CHROMIUM_PATH first, before any system or npm browser', async () => {
    const s = search(['/opt/mine/chrome', '/usr/bin/chromium'], {
      CHROMIUM_PATH: '/opt/mine/chrome',
      PATH: '/usr/bin',
    });
    expect(await findBrowserWith(s)).toEqual({
      executablePath: '/opt/mine/chrome',
      source: 'CHROMIUM_PATH',
      env: {},
    });
    expect(s.npmCalls).toBe(0);
  });

  it('says so in one line when CHROMIUM_PATH names nothing, rather than looking elsewhere', async () => {
    const s = search(['/usr/bin/chromium'], { CHROMIUM_PATH: '/nowhere/chrome', PATH: '/usr/bin' });
    await expect(findBrowserWith(s)).rejects.toThrow(
      'CHROMIUM_PATH=/nowhere/chrome is not an executable file',
    );
  });

  it('finds a system browser on PATH by each of its names, in PATH order', async () => {
    for (const name of ['chromium', 'chromium-browser', 'google-chrome', 'google-chrome-stable']) {
      const s = search([`/home/u/bin/${name}`], { PATH: '/usr/local/bin:/home/u/bin' });
      expect(await findBrowserWith(s)).toMatchObject({
        executablePath: `/home/u/bin/${name}`,
        source: 'system',
      });
    }
    const both = search(['/a/chromium', '/b/chromium'], { PATH: '/b:/a' });
    expect((await findBrowserWith(both)).executablePath).toBe('/b/chromium');
  });

  it('prefers Chromium to Chrome, and looks at the usual install paths when PATH has neither', async () => {
    const s = search(['/x/google-chrome', '/y/chromium'], { PATH: '/x:/y' });
    expect((await findBrowserWith(s)).executablePath).toBe('/y/chromium');
    const off = search(['/opt/google/chrome/chrome'], { PATH: '/usr/local/bin' });
    expect(await findBrowserWith(off)).toMatchObject({
      executablePath: '/opt/google/chrome/chrome',
      source: 'system',
    });
    expect(off.npmCalls).toBe(0);
  });

  it("falls back to the npm package's Chromium on Linux x64 only, with its libraries in the env", async () => {
    const s = search([], { PATH: '/usr/bin' });
    expect(await findBrowserWith(s)).toEqual(NPM);
    const mac = search([], { PATH: '/usr/bin' }, NPM, 'darwin');
    await expect(findBrowserWith(mac)).rejects.toThrow(NO_BROWSER);
    expect(mac.npmCalls).toBe(0);
  });

  it('SLUICE_TEST_BROWSER=npm skips the system browser; =system skips the npm one', async () => {
    const npm = search(['/usr/bin/chromium'], { PATH: '/usr/bin', SLUICE_TEST_BROWSER: 'npm' });
    expect((await findBrowserWith(npm)).source).toBe('npm');
    const system = search([], { PATH: '/usr/bin', SLUICE_TEST_BROWSER: 'system' });
    await expect(findBrowserWith(system)).rejects.toThrow(`${NO_BROWSER} (SLUICE_TEST_BROWSER=system)`);
    expect(system.npmCalls).toBe(0);
    await expect(findBrowserWith(search([], { SLUICE_TEST_BROWSER: 'firefox' }))).rejects.toThrow(
      "SLUICE_TEST_BROWSER=firefox is neither 'system' nor 'npm'",
    );
  });

  it('fails with one line saying how to get a browser when there is none at all', async () => {
    const s = search([], { PATH: '/usr/bin' }, 'not installed');
    const err = await findBrowserWith(s).then(
      () => undefined,
      (e: unknown) => e,
    );
    expect(err).toBeInstanceOf(Error);
    const message = (err as Error).message;
    expect(message).toBe(NO_BROWSER);
    expect(message).not.toContain('\n');
    expect(message).toMatch(/apt install chromium/);
    expect(message).toMatch(/CHROMIUM_PATH=/);
    expect(s.npmCalls).toBe(1);
  });
});
