import { describe, expect, it } from 'vitest';
import { checkHost, checkOrigin } from '../../../src/main/http/guard';

describe('guard', () => {
  it('accepts loopback hosts with the right port or none', () => {
    for (const host of ['127.0.0.1:8787', 'localhost:8787', '[::1]:8787', 'localhost', 'LOCALHOST:8787']) {
      expect(checkHost({ host }, 8787)).toBeNull();
    }
  });
  it('refuses a rebinding host, another port and a missing host', () => {
    expect(checkHost({ host: 'evil.example:8787' }, 8787)).toMatch(/not a loopback/);
    expect(checkHost({ host: '127.0.0.1:9999' }, 8787)).toMatch(/another port/);
    expect(checkHost({}, 8787)).toMatch(/missing/);
  });
  it('lets requests without Origin through and refuses foreign pages', () => {
    expect(checkOrigin({}, 8787)).toBeNull();
    expect(checkOrigin({ origin: 'http://127.0.0.1:8787' }, 8787)).toBeNull();
    expect(checkOrigin({ origin: 'https://evil.example' }, 8787)).toMatch(/not allowed/);
    expect(checkOrigin({ origin: 'http://localhost:3000' }, 8787)).toMatch(/not allowed/);
  });
});
