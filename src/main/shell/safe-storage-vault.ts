import { safeStorage } from 'electron';
import type { KeyVault } from '../config/key-vault';

const PREFIX = 'os1:';

/**
 * Seals provider keys with the OS keychain (macOS Keychain, Windows DPAPI, libsecret/kwallet on
 * Linux) through Electron's safeStorage. Only the Electron app uses it; headless Sluice has the
 * key-file vault. On Linux without a keyring safeStorage falls back to a hard-coded key
 * (`basic_text`): then the key-file vault is the better choice, and `pickVault` says so.
 */
export class SafeStorageVault implements KeyVault {
  readonly kind = 'os-keychain';

  seal(plain: string): string {
    return PREFIX + safeStorage.encryptString(plain).toString('base64');
  }

  open(sealed: string): string {
    if (!sealed.startsWith(PREFIX)) throw new Error('not sealed by the OS keychain');
    return safeStorage.decryptString(Buffer.from(sealed.slice(PREFIX.length), 'base64'));
  }
}

/** The OS keychain when it is really there, else null (the caller uses the key-file vault). Call after `app.ready`. */
export function osKeychainVault(): SafeStorageVault | null {
  if (!safeStorage.isEncryptionAvailable()) return null;
  if (process.platform === 'linux' && safeStorage.getSelectedStorageBackend() === 'basic_text') return null;
  return new SafeStorageVault();
}
