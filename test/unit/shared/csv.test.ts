import { describe, expect, it } from 'vitest';
import { csvField } from '../../../src/shared/csv';

describe('csvField', () => {
  it('puts a quote before text that a spreadsheet would read as a formula', () => {
    expect(csvField('=1+1')).toBe("'=1+1");
    expect(csvField('+1')).toBe("'+1");
    expect(csvField('-1')).toBe("'-1");
    expect(csvField('@SUM(A1)')).toBe("'@SUM(A1)");
    expect(csvField('\tx')).toBe("'\tx");
    expect(csvField('\rx')).toBe(`"'\rx"`);
    expect(csvField('=HYPERLINK("a","b")')).toBe(`"'=HYPERLINK(""a"",""b"")"`);
  });

  it('leaves ordinary text, numbers and null as RFC 4180 has them', () => {
    expect(csvField('claude-sonnet-4-5')).toBe('claude-sonnet-4-5');
    expect(csvField('a, b')).toBe('"a, b"');
    expect(csvField('say "hi"')).toBe('"say ""hi"""');
    expect(csvField(-3)).toBe('-3');
    expect(csvField(0.25)).toBe('0.25');
    expect(csvField(true)).toBe('true');
    expect(csvField(null)).toBe('');
  });
});
