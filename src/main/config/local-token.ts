import crypto from 'node:crypto';
import fs from 'node:fs';
import path from 'node:path';
import { writeAtomic } from './atomic-file';
import { makeDataDir } from './data-dir';

/** The control token's file inside the data dir: it opens the control API and the dashboard. */
export const TOKEN_FILE = 'token';
/**
 * The API token's file: what API clients present as their API key when `requireLocalToken` is on. It
 * opens the gateway's API routes only, never the control API, so a tool given it cannot reconfigure
 * Sluice (`sluice setup` writes this one into tools' configs, never the control token).
 */
export const API_TOKEN_FILE = 'api-token';

const TOKEN_SHAPE = /^[0-9a-f]{64}$/;

/**
 * The local (control) token that guards the control API and the dashboard: 32 random bytes as hex, made
 * at first start in `<dataDir>/token` (0600) and reused after. A file that is not a token (truncated,
 * edited) is replaced, since nothing else can recover it and the app cannot start without one.
 */
export function loadOrCreateLocalToken(dataDir: string): string {
  return loadOrCreate(dataDir, TOKEN_FILE);
}

/** The API token (`<dataDir>/api-token`, 0600), made and kept like the control token. */
export function loadOrCreateApiToken(dataDir: string): string {
  return loadOrCreate(dataDir, API_TOKEN_FILE);
}

function loadOrCreate(dataDir: string, name: string): string {
  const file = path.join(dataDir, name);
  makeDataDir(dataDir);
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
 * Replaces the control token with a fresh one (a leaked token is then worthless) and returns it. The
 * file is replaced whole, 0600, as at creation; the caller swaps the token wherever it is checked.
 */
export function rotateLocalToken(dataDir: string): string {
  return rotate(dataDir, TOKEN_FILE);
}

/** Replaces the API token, like {@link rotateLocalToken}. */
export function rotateApiToken(dataDir: string): string {
  return rotate(dataDir, API_TOKEN_FILE);
}

function rotate(dataDir: string, name: string): string {
  makeDataDir(dataDir);
  const token = newToken();
  writeToken(path.join(dataDir, name), token);
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
