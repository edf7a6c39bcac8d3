/**
 * Whether an error means "the database cannot be reached right now" (as opposed to a bug or a bad
 * query), so a tool can answer a clean, retryable refusal instead of an internal error (docs/security.md, database faults,
 * docs/security.md REL-2). Pure: reads Prisma's error codes, the pg driver adapter's error kinds and
 * Postgres SQLSTATEs along the cause chain.
 */
const PRISMA_CODES = new Set([
  'P1001', // can't reach database server
  'P1002', // database server reached but timed out
  'P1008', // operations timed out
  'P1017', // server closed the connection
  'P2024', // timed out fetching a connection from the pool
]);
const ADAPTER_KINDS = new Set(['DatabaseNotReachable', 'ConnectionClosed', 'SocketTimeout', 'TooManyConnections', 'TlsConnectionError']);
// SQLSTATE class 08 (connection exception), 57P01-57P03 (shutdown, crash, starting up), 53300 (too
// many connections), 57014 (statement_timeout: packages/db bounds every statement).
const SQLSTATE = /^(08\w{3}|57P0[123]|53300|57014)$/;
// Socket failures reach us unwrapped from pg itself on the few reads that skip Prisma (sqlPool).
const SOCKET_CODES = new Set(['ECONNREFUSED', 'ECONNRESET', 'ETIMEDOUT', 'EPIPE', 'EHOSTUNREACH', 'ENETUNREACH', 'ENOTFOUND', 'EAI_AGAIN']);
// pg raises these as plain Errors, which the driver adapter rethrows unchanged.
const PG_MESSAGES = /Connection terminated|timeout exceeded when trying to connect|Client has encountered a connection error|Connection ended unexpectedly|Query read timeout/i;

type ErrorLike = { code?: unknown; kind?: unknown; originalCode?: unknown; message?: unknown; meta?: unknown; cause?: unknown };

export function isDatabaseUnavailable(error: unknown): boolean {
  let current: unknown = error;
  for (let depth = 0; depth < 6 && typeof current === 'object' && current !== null; depth += 1) {
    const e = current as ErrorLike;
    if (typeof e.code === 'string' && (PRISMA_CODES.has(e.code) || SQLSTATE.test(e.code) || SOCKET_CODES.has(e.code))) return true;
    if (typeof e.kind === 'string' && ADAPTER_KINDS.has(e.kind)) return true;
    if (e.kind === 'postgres' && typeof e.originalCode === 'string' && SQLSTATE.test(e.originalCode)) return true;
    if (typeof e.message === 'string' && PG_MESSAGES.test(e.message)) return true;
    const adapterError = (e.meta as { driverAdapterError?: unknown } | undefined)?.driverAdapterError;
    current = adapterError ?? e.cause;
  }
  return false;
}
