import { describe, expect, it } from 'vitest';
import { estimateTokens } from '../../../src/shared/token-estimate';

describe('estimateTokens', () => {
  it('is 0 for nothing and at least 1 for anything', () => {
    expect(estimateTokens('')).toBe(0);
    expect(estimateTokens('a')).toBe(1);
  });

  it('counts about four characters of English or code per token', () => {
    const prose = 'The quick brown fox jumps over the lazy dog, then naps in the afternoon sun. '.repeat(10);
    expect(estimateTokens(prose)).toBe(Math.round(prose.length / 4));
    const code = 'function add(a: number, b: number): number {\n  return a + b;\n}\n';
    expect(estimateTokens(code)).toBe(Math.round(code.length / 4));
  });

  it('counts a CJK character as about one token, not a quarter', () => {
    const chinese = '我们今天去公园散步然后吃午饭'; // 14 characters
    expect(estimateTokens(chinese)).toBe(14);
    expect(estimateTokens('こんにちは世界')).toBe(7);
    expect(estimateTokens('안녕하세요')).toBe(5);
  });

  it('weighs other scripts between the two, and emoji as one character each', () => {
    expect(estimateTokens('Привет мир')).toBe(Math.round(9 * 0.5 + 0.25));
    // Two astral code points (four UTF-16 units) count as two characters, not four.
    expect(estimateTokens('🙂🙂')).toBe(3);
  });
});
