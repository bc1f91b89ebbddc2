/**
 * Tool-call ids across formats. Each vendor limits them (OpenAI: ≤ 40 characters of `[A-Za-z0-9_-]`;
 * Anthropic: ≤ 64 of `^[a-zA-Z0-9_-]+$`), while ids from other vendors may be longer or hold other
 * characters (Kimi's `functions.bash:0`). `fitToolId` maps an id into a target's limits and
 * `restoreToolId` undoes it, both without state, so the same id maps the same way in every message
 * of a request and in every turn of a conversation:
 *
 * - an id that already fits (and does not start with one of our two prefixes) is kept as it is;
 * - otherwise `sx_` + the base64url of its UTF-8 bytes, when that fits: restored exactly;
 * - otherwise `sh_` + a 128-bit hash of it: deterministic but one-way (restore keeps it as is).
 */

/** A target's tool-call id rule. */
export interface ToolIdLimit {
  maxLength: number;
  /** Characters allowed (anchored, over the whole id). */
  pattern: RegExp;
}

export const OPENAI_TOOL_ID: ToolIdLimit = { maxLength: 40, pattern: /^[A-Za-z0-9_-]+$/ };
export const ANTHROPIC_TOOL_ID: ToolIdLimit = { maxLength: 64, pattern: /^[a-zA-Z0-9_-]+$/ };

const ENCODED = 'sx_';
const HASHED = 'sh_';
const B64 = 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_';

/** `id` within `limit`: unchanged when it fits, else reversibly encoded, else hashed. */
export function fitToolId(id: string, limit: ToolIdLimit): string {
  const ours = id.startsWith(ENCODED) || id.startsWith(HASHED);
  if (!ours && id.length <= limit.maxLength && limit.pattern.test(id)) return id;
  // 3 UTF-8 bytes → 4 characters: skip the encoding when it cannot fit.
  if (ENCODED.length + Math.ceil((id.length * 4) / 3) <= limit.maxLength) {
    const encoded = ENCODED + base64Url(new TextEncoder().encode(id));
    if (encoded.length <= limit.maxLength) return encoded;
  }
  return HASHED + hash128(id).slice(0, Math.max(8, limit.maxLength - HASHED.length));
}

/** The id `fitToolId` was given, when `id` is one of its reversible encodings; else `id` itself. */
export function restoreToolId(id: string): string {
  if (!id.startsWith(ENCODED)) return id;
  const bytes = fromBase64Url(id.slice(ENCODED.length));
  if (bytes === null) return id;
  try {
    return new TextDecoder('utf-8', { fatal: true }).decode(bytes);
  } catch {
    return id;
  }
}

/** base64url without padding. */
function base64Url(bytes: Uint8Array): string {
  let out = '';
  for (let i = 0; i < bytes.length; i += 3) {
    const b0 = bytes[i]!;
    const b1 = i + 1 < bytes.length ? bytes[i + 1]! : 0;
    const b2 = i + 2 < bytes.length ? bytes[i + 2]! : 0;
    out += B64[b0 >> 2]! + B64[((b0 & 3) << 4) | (b1 >> 4)]!;
    if (i + 1 < bytes.length) out += B64[((b1 & 15) << 2) | (b2 >> 6)]!;
    if (i + 2 < bytes.length) out += B64[b2 & 63]!;
  }
  return out;
}

function fromBase64Url(text: string): Uint8Array | null {
  if (text.length % 4 === 1) return null;
  const out = new Uint8Array(Math.floor((text.length * 3) / 4));
  let acc = 0;
  let bits = 0;
  let n = 0;
  for (let i = 0; i < text.length; i++) {
    const v = B64.indexOf(text[i]!);
    if (v < 0) return null;
    acc = ((acc << 6) | v) & 0xffffff;
    bits += 6;
    if (bits >= 8) {
      bits -= 8;
      out[n++] = (acc >> bits) & 0xff;
    }
  }
  return out.subarray(0, n);
}

/** 128 bits as 32 hex characters: four 32-bit FNV-1a/murmur-mixed lanes with different seeds. */
function hash128(text: string): string {
  let out = '';
  for (const seed of [0x811c9dc5, 0x01000193, 0x9e3779b9, 0x85ebca6b]) {
    let h = seed >>> 0;
    for (let i = 0; i < text.length; i++) {
      h = Math.imul(h ^ text.charCodeAt(i), 0x01000193);
    }
    h ^= h >>> 16;
    h = Math.imul(h, 0x85ebca6b);
    h ^= h >>> 13;
    h = Math.imul(h, 0xc2b2ae35);
    h ^= h >>> 16;
    out += (h >>> 0).toString(16).padStart(8, '0');
  }
  return out;
}
