import { describe, expect, it } from 'vitest';
import { isDatabaseUnavailable } from '../src/mcp/database-unavailable.js';

const prismaError = (code: string, cause?: unknown) =>
  Object.assign(new Error('Invalid `prisma.x()` invocation'), { code, meta: cause ? { driverAdapterError: { cause } } : {} });

describe('isDatabaseUnavailable', () => {
  it.each([
    ['P1001 (server unreachable)', prismaError('P1001')],
    ['P2024 (pool timeout)', prismaError('P2024')],
    ['a raw query that could not connect (P2010 + DatabaseNotReachable)', prismaError('P2010', { kind: 'DatabaseNotReachable' })],
    ['a closed connection', prismaError('P2010', { kind: 'ConnectionClosed' })],
    ['an admin shutdown (57P01)', prismaError('P2010', { kind: 'postgres', originalCode: '57P01' })],
    ['a connection exception (08006)', Object.assign(new Error('x'), { code: '08006' })],
    ['pg\'s "Connection terminated unexpectedly"', new Error('Connection terminated unexpectedly')],
    ['pg\'s client-side query timeout', new Error('Query read timeout')],
    ['a statement_timeout cancel (57014)', prismaError('P2010', { kind: 'postgres', originalCode: '57014' })],
    ['a wrapped pool timeout', new Error('query failed', { cause: new Error('timeout exceeded when trying to connect') })],
    ['a refused connection straight from pg (sqlPool reads)', Object.assign(new Error('connect ECONNREFUSED 127.0.0.1:5432'), { code: 'ECONNREFUSED' })],
    ['a reset connection straight from pg', Object.assign(new Error('read ECONNRESET'), { code: 'ECONNRESET' })],
  ])('is true for %s', (_name, error) => {
    expect(isDatabaseUnavailable(error)).toBe(true);
  });

  it.each([
    ['a unique violation', prismaError('P2002', { kind: 'UniqueConstraintViolation' })],
    ['a syntax error (42601)', prismaError('P2010', { kind: 'postgres', originalCode: '42601' })],
    ['a plain bug', new TypeError('cannot read properties of undefined')],
    ['a file-system error', Object.assign(new Error('ENOENT: no such file'), { code: 'ENOENT' })],
    ['a non-error', 'boom'],
    ['null', null],
  ])('is false for %s', (_name, error) => {
    expect(isDatabaseUnavailable(error)).toBe(false);
  });
});
