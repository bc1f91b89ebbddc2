import crypto from 'node:crypto';
import fs from 'node:fs';
import path from 'node:path';
import { makeDataDir } from './data-dir';

/**
 * Provider keys at rest go through one port. The Electron app seals them with the OS keychain
 * (`safeStorage`); headless Sluice with a random key in a file only the user can read (0600) in the
 * data dir — the threat model is in the README: it keeps keys out of backups, exports, logs and casual
 * reads of the database, not away from code running as the same user.
 */
export interface KeyVault {
  readonly kind: 'os-keychain' | 'key-file';
  /** Encrypts; the result is safe to store. */
  seal(plain: string): string;
  /** Decrypts what `seal` returned; throws when it cannot (another machine, another key). */
  open(sealed: string): string;
}

const PREFIX = 'v1:';

/** AES-256-GCM with a 32-byte key kept in `<dataDir>/vault.key` (created 0600 on first use). */
export class FileKeyVault implements KeyVault {
  readonly kind = 'key-file';
  private readonly key: Buffer;

  constructor(dataDir: string) {
    const file = path.join(dataDir, 'vault.key');
    makeDataDir(dataDir);
    try {
      // wx: never overwrite a key another process just wrote.
      fs.writeFileSync(file, crypto.randomBytes(32), { mode: 0o600, flag: 'wx' });
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code !== 'EEXIST') throw err;
    }
    fs.chmodSync(file, 0o600);
    this.key = fs.readFileSync(file);
    if (this.key.length !== 32) throw new Error(`${file} is not a Sluice key file (expected 32 bytes)`);
  }

  seal(plain: string): string {
    const iv = crypto.randomBytes(12);
    const cipher = crypto.createCipheriv('aes-256-gcm', this.key, iv);
    const body = Buffer.concat([cipher.update(plain, 'utf8'), cipher.final()]);
    return PREFIX + Buffer.concat([iv, cipher.getAuthTag(), body]).toString('base64');
  }

  open(sealed: string): string {
    if (!sealed.startsWith(PREFIX)) throw new Error('not a sealed key');
    const raw = Buffer.from(sealed.slice(PREFIX.length), 'base64');
    const decipher = crypto.createDecipheriv('aes-256-gcm', this.key, raw.subarray(0, 12));
    decipher.setAuthTag(raw.subarray(12, 28));
    return Buffer.concat([decipher.update(raw.subarray(28)), decipher.final()]).toString('utf8');
  }
}

/** The last four characters, for a write-only key field's masked preview. */
export function maskKey(key: string | undefined): string | null {
  if (key === undefined || key === '') return null;
  return key.length <= 8 ? '••••' : `${key.slice(0, 3)}…${key.slice(-4)}`;
}

/**
 * Seals with the first vault and opens with whichever sealed it (by prefix), so keys saved by the
 * headless key-file vault still open in the app after it switches to the OS keychain.
 */
export class ChainVault implements KeyVault {
  readonly kind: KeyVault['kind'];
  constructor(private readonly vaults: readonly [KeyVault, ...KeyVault[]]) {
    this.kind = vaults[0].kind;
  }
  seal(plain: string): string {
    return this.vaults[0].seal(plain);
  }
  open(sealed: string): string {
    let last: unknown = new Error('no vault could open this key');
    for (const v of this.vaults) {
      try {
        return v.open(sealed);
      } catch (err) {
        last = err;
      }
    }
    throw last;
  }
}
