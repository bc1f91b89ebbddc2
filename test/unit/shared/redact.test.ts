import { describe, expect, it } from 'vitest';
import { redactSecrets, secretSpans } from '../../../src/shared/redact';

/** What replacing each span with `[redacted]` gives. */
function applySpans(text: string, secrets: readonly string[]): string {
  let out = '';
  let at = 0;
  for (const [start, end] of secretSpans(text, secrets)) {
    out += `${text.slice(at, start)}[redacted]`;
    at = end;
  }
  return out + text.slice(at);
}

const SAMPLES: [string, string, string[]][] = [
  ['nothing to hide', 'plain "text" with sk and AI and bear', []],
  ['an OpenAI-style key', 'key sk-proj-abcdefghij12 here', []],
  ['a Google key', 'AIzaSyA1234567890abcdefghijklm end', []],
  [
    'Bearer tokens in three cases',
    'Authorization: Bearer abc.def-ghi12 / bearer zzzzzzzzzz / BEARER yyyyyyyyyy',
    [],
  ],
  ['a provider key by value', 'echo: my-own-provider-secret!', ['my-own-provider-secret']],
  ['short Bearer values stay', 'Bearer short', []],
];

describe('redaction', () => {
  it.each(SAMPLES)('%s: spans give what redactSecrets gives', (_name, text, secrets) => {
    expect(applySpans(text, secrets)).toBe(redactSecrets(text, secrets));
  });

  it('where a secret and a shape overlap, spans hide both whole (redactSecrets leaves the shape’s head)', () => {
    expect(applySpans('x sk-live-provider-1234567 y', ['provider-1234567'])).toBe('x [redacted] y');
  });

  it('hides every shape it knows', () => {
    const out = redactSecrets(SAMPLES[3]![1]);
    expect(out).toBe('Authorization: Bearer [redacted] / bearer [redacted] / BEARER [redacted]');
    expect(redactSecrets('k=sk-ant-api03-AAAAAAAAAA and AIzaSyA1234567890abcdefghijklm')).toBe(
      'k=[redacted] and [redacted]',
    );
  });
});

describe('the screen in front of the patterns', () => {
  it('lets through texts that hold a secret with regex characters in it, or a shape in any case', () => {
    expect(redactSecrets('k=a.b*c+d?e', ['a.b*c+d?e'])).toBe('k=[redacted]');
    expect(redactSecrets('k=aXb*c+d?e', ['a.b*c+d?e'])).toBe('k=aXb*c+d?e');
    expect(redactSecrets('Authorization: BEARER abcdefghijk')).toBe('Authorization: BEARER [redacted]');
    for (let i = 0; i < 40; i++)
      expect(redactSecrets(`x secret-${i} y`, [`secret-${i}`])).toBe('x [redacted] y');
  });
});
