// REL-2 (docs/security.md, database faults): a database that stops answering makes a query fail within a bound, never hang.
import net from 'node:net';

import { afterAll, beforeAll, describe, expect, it } from 'vitest';

import { createPrismaClient } from '../src/client.js';
import { createTestDatabase, type TestDatabase } from '../src/testing.js';

/** Accepts TCP connections and never says a word: a Postgres host behind a dead network path. */
async function silentServer(): Promise<{ url: string; close(): Promise<void> }> {
  const sockets = new Set<net.Socket>();
  const server = net.createServer((socket) => {
    sockets.add(socket);
    socket.on('error', () => {});
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as net.AddressInfo;
  return {
    url: `postgres://postgres:x@127.0.0.1:${port}/silent`,
    close: () =>
      new Promise((resolve) => {
        for (const socket of sockets) socket.destroy();
        server.close(() => resolve());
      }),
  };
}

async function elapsed(work: () => Promise<unknown>): Promise<{ ms: number; error: unknown }> {
  const started = performance.now();
  const error = await work().then(
    () => undefined,
    (caught: unknown) => caught,
  );
  return { ms: performance.now() - started, error };
}

let silent: Awaited<ReturnType<typeof silentServer>>;
let db: TestDatabase;

beforeAll(async () => {
  silent = await silentServer();
  db = await createTestDatabase();
});

afterAll(async () => {
  await silent?.close();
  await db?.drop();
});

describe('createPrismaClient bounds every wait on the database', () => {
  it('REL-2 a server that accepts but never answers fails the query after connectTimeoutMs', async () => {
    const prisma = createPrismaClient(silent.url, { connectTimeoutMs: 300 });
    try {
      const { ms, error } = await elapsed(() => prisma.$queryRaw`SELECT 1`);
      expect(error).toBeInstanceOf(Error);
      expect(ms).toBeGreaterThanOrEqual(250);
      expect(ms).toBeLessThan(2_000);
    } finally {
      await prisma.$disconnect();
    }
  });

  it('REL-2 connect_timeout in the URL (seconds, libpq) wins over the option', async () => {
    const prisma = createPrismaClient(`${silent.url}?connect_timeout=1`, { connectTimeoutMs: 60_000 });
    try {
      const { ms, error } = await elapsed(() => prisma.$queryRaw`SELECT 1`);
      expect(error).toBeInstanceOf(Error);
      expect(ms).toBeGreaterThanOrEqual(900);
      expect(ms).toBeLessThan(3_000);
    } finally {
      await prisma.$disconnect();
    }
  });

  it('REL-2 a statement longer than statementTimeoutMs is cancelled by the server, and the pool keeps working', async () => {
    const prisma = createPrismaClient(db.url, { statementTimeoutMs: 200, maxConnections: 1 });
    try {
      const { ms, error } = await elapsed(() => prisma.$queryRaw`SELECT pg_sleep(5)`);
      expect(String(error)).toMatch(/statement timeout/i);
      expect(ms).toBeLessThan(2_000);
      expect(await prisma.$queryRaw`SELECT 1 AS one`).toEqual([{ one: 1 }]);
    } finally {
      await prisma.$disconnect();
    }
  });

  it('REL-2 statement_timeout in the URL (ms, pg) wins over the option, client-side bound included', async () => {
    const prisma = createPrismaClient(`${db.url}?statement_timeout=200`, { statementTimeoutMs: 60_000 });
    try {
      const { ms, error } = await elapsed(() => prisma.$queryRaw`SELECT pg_sleep(5)`);
      expect(String(error)).toMatch(/statement timeout/i);
      expect(ms).toBeLessThan(2_000);
    } finally {
      await prisma.$disconnect();
    }
  });

  it('REL-2 a backend that stops answering mid-query fails on the client side too', async () => {
    const prisma = createPrismaClient(db.url, { statementTimeoutMs: 200, maxConnections: 1 });
    const [row] = await prisma.$queryRaw<{ pid: number }[]>`SELECT pg_backend_pid() AS pid`;
    const pid = row?.pid as number;
    // SIGSTOP freezes this session's backend: its own statement_timeout can no longer fire.
    process.kill(pid, 'SIGSTOP');
    try {
      const { ms, error } = await elapsed(() => prisma.$queryRaw`SELECT 1`);
      expect(String(error)).toMatch(/timeout/i);
      expect(ms).toBeLessThan(3_000);
    } finally {
      process.kill(pid, 'SIGCONT');
    }
    try {
      // The frozen connection was discarded: the next query gets a fresh one.
      expect(await prisma.$queryRaw`SELECT 1 AS one`).toEqual([{ one: 1 }]);
    } finally {
      await prisma.$disconnect();
    }
  });
});
