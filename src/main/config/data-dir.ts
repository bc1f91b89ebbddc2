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
