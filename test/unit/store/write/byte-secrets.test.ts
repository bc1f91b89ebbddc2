import { describe, expect, it } from 'vitest';
import { byteSecretSpans } from '../../../../src/main/store/write/byte-secrets';
import { secretSpans } from '../../../../src/shared/redact';

const KEYS = [
  'sk-ant-api03-abcdefghijklmnop', // holds the `sk-` hint
  'AIzaSyA1234567890abcdefghijklmno', // holds `AIza`
  'gsk_live_0123456789abcdef', // holds no hint: scanned for by itself
  'ключ-секрет-12345', // beyond Latin-1: can never match the bytes read as Latin-1
];

const TEXTS = [
  'data: {"choices":[{"delta":{"content":"hello "}}]}\n\n',
  'data: {"error":{"message":"Incorrect API key provided: sk-ant-api03-abcdefghijklmnop."}}\n\n',
  'data: {"echo":"gsk_live_0123456789abcdef and AIzaSyA1234567890abcdefghijklmno"}\n\n',
  'Authorization: Bearer abc.def-ghi_jkl~mno\n',
  'task-runner risk-free desk-top: no key here, though `sk-` appears in words\n',
  'data: {"text":"日本語 € 😀 sk-proj-ABCDEFGH12345678 ключ-секрет-12345"}\n\n',
  'BEARER 0123456789abcdef and bearer 0123456789abcdef',
  '',
];

describe('byteSecretSpans', () => {
  it('finds exactly what secretSpans finds in the bytes read as Latin-1', () => {
    for (const text of TEXTS) {
      const bytes = Buffer.from(text, 'utf8');
      for (const secrets of [[], KEYS, KEYS.slice(2)]) {
        expect(byteSecretSpans(bytes, secrets)).toEqual(secretSpans(bytes.toString('latin1'), secrets));
      }
    }
  });

  it('finds a provider key that contains no credential shape', () => {
    const bytes = Buffer.from('{"echo":"gsk_live_0123456789abcdef"}');
    expect(byteSecretSpans(bytes, ['gsk_live_0123456789abcdef'])).toEqual([[9, 34]]);
    expect(byteSecretSpans(bytes, [])).toEqual([]);
  });
});
