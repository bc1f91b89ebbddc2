import type { Signature, Vendor } from '../turn/types';

/**
 * Anthropic thinking blocks carry one opaque string (`signature`, `redacted_thinking.data`). When an
 * Anthropic client is served by another vendor, that vendor's opaque token (an OpenAI
 * `encrypted_content`, a Gemini thought signature) rides in the same field behind a prefix naming
 * its vendor, so the client hands it back and the request decoder returns it to its vendor only.
 * Anthropic's own tokens go out and come back bare.
 */

const PREFIX = 'sluice.';

/** The wire string for a signature shown to an Anthropic client. */
export function signatureToWire(signature: Signature): string {
  return signature.vendor === 'anthropic'
    ? signature.value
    : `${PREFIX}${signature.vendor}.${signature.value}`;
}

/** A signature an Anthropic client sent; null when empty. */
export function signatureFromWire(value: string | null): Signature | null {
  if (value === null || value.length === 0) return null;
  if (value.startsWith(PREFIX)) {
    const dot = value.indexOf('.', PREFIX.length);
    const vendor = value.slice(PREFIX.length, dot);
    if (dot > 0 && isForeignVendor(vendor)) return { vendor, value: value.slice(dot + 1) };
  }
  return { vendor: 'anthropic', value };
}

function isForeignVendor(v: string): v is Exclude<Vendor, 'anthropic'> {
  return v === 'openai' || v === 'gemini';
}
