import { describe, expect, it } from 'vitest';

import { isLoopbackLiteral, isLoopbackName } from '../src/loopback.js';

describe('loopback host names', () => {
  it.each([
    ['localhost', true, true],
    ['127.0.0.1', true, true],
    ['[::1]', true, true],
    ['127.0.0.2', false, true],
    ['app.localhost', false, true],
    ['localhost.example.com', false, false],
    ['127.0.0.1.nip.io', false, false],
    ['::1', false, false],
    ['example.com', false, false],
    ['', false, false],
  ])('%s: RFC 8252 literal %s, loopback name %s', (hostname, literal, name) => {
    expect(isLoopbackLiteral(hostname)).toBe(literal);
    expect(isLoopbackName(hostname)).toBe(name);
  });
});
