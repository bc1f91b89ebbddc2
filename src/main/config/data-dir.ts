import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';

/** The OS app-data folder for Sluice — the same one Electron's `userData` resolves to. */
export function defaultDataDir(): string {
  const home = os.homedir();
  switch (process.platform) {
    case 'darwin':
      return path.join(home, 'Library', 'Application Support', 'Sluice');
    case 'win32':
      return path.join(process.env.APPDATA ?? path.join(home, 'AppData', 'Roaming'), 'Sluice');
    default:
      return path.join(process.env.XDG_CONFIG_HOME ?? path.join(home, '.config'), 'Sluice');
  }
}

/**
 * Makes the data folder when it is missing, 0700 whatever the umask: it holds prompts, captures and
 * keys (sealed), so only its owner may list or enter it. A folder that already exists is left as it is
 * (it may be one the user chose and shares); the files Sluice keeps in it are 0600 either way.
 */
export function makeDataDir(dir: string): void {
  const created = fs.mkdirSync(dir, { recursive: true, mode: 0o700 });
  if (created !== undefined) fs.chmodSync(dir, 0o700);
}
