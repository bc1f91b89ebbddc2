import crypto from 'node:crypto';

/**
 * The short name a provider key goes by wherever it must be told apart from its pool's others (attempt
 * rows, the Providers screen, the UI's write-only pool edits): the first 4 and last 4 hex digits of its
 * SHA-256, e.g. `3f2a…9c01`. One-way and too short to test guesses against in bulk; never the key.
 */
export function keyFingerprint(key: string): string {
  const hex = crypto.createHash('sha256').update(key, 'utf8').digest('hex');
  return `${hex.slice(0, 4)}…${hex.slice(-4)}`;
}
