import type { CounterStore } from '@omnichat/limits';
import { createTestDatabase } from '@omnichat/db/testing';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';

import { startAuthServer, type RunningAuthServer } from '../helpers/auth-server.js';
import { startAuthProcess, type AuthProcess } from './helpers/auth-process.js';
import { register } from '@omnichat/testkit';

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

  it('AS-45 per caller: one client software behind a shared address uses up its own budget, not the others\'; the per-IP ceiling still caps them all', async () => {
    // Its own database: the counters of the tests above (same IP, same rules) must not count here.
    const own = await createTestDatabase();
    const shared = await startAuthServer({
      prisma: own.prisma,
      resourceUrl: RESOURCE,
      env: { LIMIT_REGISTER_PER_IP: '8/600', LIMIT_REGISTER_PER_CALLER: '2/600', LIMIT_REGISTER_GLOBAL: '1000/600' },
    });
    try {
      const claude = { client_name: 'Claude', redirect_uris: ['https://claude.ai/api/mcp/auth_callback'] };
      const chatgpt = { client_name: 'ChatGPT', redirect_uris: ['https://chatgpt.com/connector_platform_oauth_redirect'] };
      // A loopback client is one caller whatever port it picks next time (RFC 8252 §7.3).
      const cli = (port: number) => ({ client_name: 'mcp-remote', redirect_uris: [`http://127.0.0.1:${port}/oauth/callback`] });
      const statuses = async (bodies: Parameters<typeof register>[1][]) => {
        const out = [];
        for (const body of bodies) out.push((await register(shared.issuer, body)).status);
        return out;
      };
      expect(await statuses([claude, claude, claude])).toEqual([201, 201, 429]);
      expect(await statuses([chatgpt, cli(50001), cli(50002)])).toEqual([201, 201, 201]);
      expect(await statuses([cli(50003)])).toEqual([429]);
      const refused = await register(shared.issuer, claude);
      expect(refused.status).toBe(429);
      expect(Number(refused.headers.get('retry-after'))).toBeGreaterThan(0);
      expect(refused.headers.get('access-control-allow-origin')).toBe('*');
      expect(refused.body).toEqual({ error: 'temporarily_unavailable', error_description: 'too many client registrations; retry later' });
      // The ceiling counts every POST from the address, refused ones and unparseable ones too.
      expect(await statuses([{ client_name: 'Other', redirect_uris: ['https://other.example/cb'] }])).toEqual([429]);
    } finally {
      await shared.close();
      await own.drop();
    }
  });

  it('AS-45 a malformed registration body is refused as invalid, without using the caller\'s budget', async () => {
    const own = await createTestDatabase();
    const solo = await startAuthServer({ prisma: own.prisma, resourceUrl: RESOURCE, env: { LIMIT_REGISTER_PER_CALLER: '1/600', LIMIT_REGISTER_GLOBAL: '1000/600' } });
    try {
      const bad = await fetch(`${solo.issuer}/register`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: '{"redirect_uris": ' });
      expect(bad.status).toBe(400);
      expect(((await bad.json()) as { error: string }).error).toBe('invalid_request');
      expect((await register(solo.issuer, { client_name: 'Once' })).status).toBe(201);
      expect((await register(solo.issuer, { client_name: 'Once' })).status).toBe(429);
      // AS-71: with no TRUST_PROXY a forged X-Forwarded-For is not a new caller.
      expect((await register(solo.issuer, { client_name: 'Once' }, { 'x-forwarded-for': '198.51.100.7' })).status).toBe(429);
    } finally {
      await solo.close();
      await own.drop();
    }
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
