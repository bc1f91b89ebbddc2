import crypto from 'node:crypto';
import fs from 'node:fs';
import path from 'node:path';
import { writeAtomic } from './atomic-file';

/** The token file's name inside the data dir. */
export const TOKEN_FILE = 'token';

const TOKEN_SHAPE = /^[0-9a-f]{64}$/;

/**
 * The local token that guards the control API and the dashboard: 32 random bytes as hex, made at first
 * start in `<dataDir>/token` (0600) and reused after. A file that is not a token (truncated, edited) is
 * replaced, since nothing else can recover it and the app cannot start without one.
 */
export function loadOrCreateLocalToken(dataDir: string): string {
  const file = path.join(dataDir, TOKEN_FILE);
  fs.mkdirSync(dataDir, { recursive: true });
  const existing = readToken(file);
  if (existing !== null) {
    fs.chmodSync(file, 0o600);
    return existing;
  }
  const token = newToken();
  writeToken(file, token);
  // Another process may have won the race: whatever is on disk now is the token.
  return readToken(file) ?? token;
}

/**
 * Replaces the local token with a fresh one (a leaked token is then worthless) and returns it. The
 * file is replaced whole, 0600, as at creation; the caller swaps the token wherever it is checked.
 */
export function rotateLocalToken(dataDir: string): string {
  fs.mkdirSync(dataDir, { recursive: true });
  const token = newToken();
  writeToken(path.join(dataDir, TOKEN_FILE), token);
  return token;
}

function newToken(): string {
  return crypto.randomBytes(32).toString('hex');
}

/** Written beside and renamed over (a crash never leaves half a token), 0600 from the start. */
function writeToken(file: string, token: string): void {
  writeAtomic(file, `${token}\n`, 0o600);
}

function readToken(file: string): string | null {
  try {
    const text = fs.readFileSync(file, 'utf8').trim();
    return TOKEN_SHAPE.test(text) ? text : null;
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === 'ENOENT') return null;
    throw err;
  }
}

/**
 * True when `given` is the token. Both sides are hashed first so the comparison takes the same time
 * whatever the input's length or content (timingSafeEqual needs equal lengths).
 */
export function tokenMatches(token: string, given: string | null | undefined): boolean {
  if (given === null || given === undefined || given === '') return false;
  const a = crypto.createHash('sha256').update(token).digest();
  const b = crypto.createHash('sha256').update(given).digest();
  return crypto.timingSafeEqual(a, b);
}
