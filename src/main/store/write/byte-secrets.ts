import { SECRET_HINTS, secretSpans, type SecretSpan } from '../../../shared/redact';

/*
 * The secret screen for raw captured bytes. Most captures hold no credential at all, and finding that
 * out with Buffer#indexOf over the bytes (native, no copy) costs a fraction of reading them as a
 * Latin-1 string and running the screen pattern over it: only a capture that holds one of the
 * literals pays for the string.
 */

/** Needles per secret list (a few lists are in use at once). */
const needleCache = new Map<string, readonly Buffer[]>();
const MAX_LISTS = 16;

/**
 * The hint literals, and each secret that contains none of them: a text that holds such a secret holds
 * that hint too, so the hint's scan already finds it. Latin-1 bytes, as the spans are computed on the
 * bytes read as Latin-1 (a character above U+00FF can then only give a false hit, which costs time, not
 * correctness).
 */
function needlesFor(secrets: readonly string[]): readonly Buffer[] {
  const key = secrets.join('\n');
  let needles = needleCache.get(key);
  if (needles === undefined) {
    const own = secrets.filter((s) => s.length >= 4 && !SECRET_HINTS.some((h) => s.includes(h)));
    needles = [...SECRET_HINTS, ...own].map((l) => Buffer.from(l, 'latin1'));
    if (needleCache.size >= MAX_LISTS) needleCache.clear();
    needleCache.set(key, needles);
  }
  return needles;
}

/**
 * secretSpans of `bytes` read as Latin-1: one character a byte, so the spans are byte offsets. The
 * patterns are ASCII, and UTF-8's other bytes read as non-word characters there, just as the decoded
 * text's other characters do.
 */
export function byteSecretSpans(bytes: Buffer, secrets: readonly string[]): SecretSpan[] {
  for (const needle of needlesFor(secrets)) {
    if (bytes.indexOf(needle) !== -1) return secretSpans(bytes.toString('latin1'), secrets);
  }
  return [];
}
