import { execFileSync } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';

const ROOT = path.resolve(__dirname, '../..');

/**
 * Builds the headless bundle (`cli.js`) into a private folder inside the project — inside, so the
 * bundle resolves node_modules; private, so parallel test files never overwrite each other's build.
 * Returns the folder and a function removing it.
 */
export function buildHeadless(name: string): { outDir: string; cli: string; remove: () => void } {
  const outDir = path.join(ROOT, 'out', `${name}-${process.pid}`);
  execFileSync(
    process.execPath,
    [
      path.join(ROOT, 'node_modules/vite/bin/vite.js'),
      'build',
      '--config',
      'vite.headless.config.mts',
      '--outDir',
      outDir,
      '--logLevel',
      'error',
    ],
    { cwd: ROOT, env: { ...process.env, VITE_CONFIG_NATIVE_IGNORE_WARNING: 'true' }, stdio: 'pipe' },
  );
  return {
    outDir,
    cli: path.join(outDir, 'cli.js'),
    remove: () => fs.rmSync(outDir, { recursive: true, force: true }),
  };
}
