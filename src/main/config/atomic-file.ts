import crypto from 'node:crypto';
import fs from 'node:fs';
import path from 'node:path';

/**
 * Writes `data` beside `file` and renames it over, so a reader (or a crash) never sees half a file;
 * parent folders are made as needed and the result has exactly `mode` (the umask does not apply, and a
 * leftover temp file's mode cannot leak through). The token, the window state and `sluice setup` use it.
 */
export function writeAtomic(file: string, data: Buffer | string, mode: number): void {
  fs.mkdirSync(path.dirname(file), { recursive: true });
  const tmp = `${file}.sluice-${process.pid}-${crypto.randomBytes(4).toString('hex')}.tmp`;
  try {
    fs.writeFileSync(tmp, data, { mode });
    fs.chmodSync(tmp, mode);
    fs.renameSync(tmp, file);
  } catch (err) {
    fs.rmSync(tmp, { force: true });
    throw err;
  }
}
