import type { CounterStore } from '@omnichat/limits';
import { createTestDatabase } from '@omnichat/db/testing';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';

import { startAuthServer, type RunningAuthServer } from '../helpers/auth-server.js';
import { startAuthProcess, type AuthProcess } from './helpers/auth-process.js';
import { register } from './helpers/oauth.js';

// Abuse limits shared across replicas (docs/security.md AS-45, REL-3, REL-8).
const RESOURCE = 'http://127.0.0.1:3996/mcp';
const LIMITS = { LIMIT_REGISTER_PER_IP: '4/600', LIMIT_REGISTER_GLOBAL: '1000/600' };

let db: Awaited<ReturnType<typeof createTestDatabase>>;
let a: RunningAuthServer;
let b: AuthProcess;

beforeAll(async () => {
  db = await createTestDatabase();
  a = await startAuthServer({ prisma: db.prisma, resourceUrl: RESOURCE, env: LIMITS });
  b = await startAuthProcess({ databaseUrl: db.url, issuer: a.issuer, resourceUrl: RESOURCE, env: LIMITS });
});

afterAll(async () => {
  await b?.stop();
  await a?.close();
  await db?.drop();
});

describe('abuse limits', () => {
  it('AS-45 registration flood from one IP over two processes: the shared limit holds, then 429 with Retry-After', async () => {
    const results = [];
    for (let i = 0; i < 8; i += 1) results.push(await register(i % 2 ? b.url : a.issuer));
    expect(results.filter((r) => r.status === 201)).toHaveLength(4);
    const refused = results.filter((r) => r.status === 429);
    expect(refused).toHaveLength(4);
    expect(Number(refused[0]?.headers.get('retry-after'))).toBeGreaterThan(0);
    expect(refused[0]?.body).toEqual({ error: 'temporarily_unavailable', error_description: 'too many client registrations; retry later' });
    expect(await db.prisma.oidcPayload.count({ where: { model: 'Client' } })).toBe(4);
  });

  it('REL-8 store failure: limits degrade to per-process counters (never unlimited) and the failure is logged', async () => {
    const failing: CounterStore = {
      hit: async () => { throw new Error('store down'); },
      hold: async () => { throw new Error('store down'); },
      peek: async () => { throw new Error('store down'); },
      reset: async () => { throw new Error('store down'); },
    };
    const logged: string[] = [];
    const { default: pino } = await import('pino');
    const logger = pino({ level: 'error' }, { write: (line: string) => void logged.push(line) });
    const solo = await startAuthServer({ prisma: db.prisma, resourceUrl: RESOURCE, env: { LIMIT_REGISTER_PER_IP: '2/600' }, deps: { limitStore: failing, logger } });
    try {
      const statuses = [];
      for (let i = 0; i < 4; i += 1) statuses.push((await register(solo.issuer)).status);
      expect(statuses).toEqual([201, 201, 429, 429]);
      expect(logged.some((line) => line.includes('rate_limit_store_unavailable'))).toBe(true);
    } finally {
      await solo.close();
    }
  });
});
