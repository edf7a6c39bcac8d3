import { createTestDatabase } from '@omnichat/db/testing';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';

import { createUser, startAuthServer, type RunningAuthServer } from '../helpers/auth-server.js';
import { startAuthProcess, type AuthProcess } from './helpers/auth-process.js';
import { RU, codeFor, pkce, publicClient, token, tokensFor } from '@omnichat/testkit';

// Atomic single use and race-safe rotation, across two auth processes on one Postgres
// (docs/security.md AS-17, AS-27, AS-28).
const RESOURCE = 'http://127.0.0.1:3997/mcp';
const USER = { email: 'race@example.com', password: 'a long and unguessable password' };

let db: Awaited<ReturnType<typeof createTestDatabase>>;
let a: RunningAuthServer;
let b: AuthProcess;
let now = Date.now();

beforeAll(async () => {
  db = await createTestDatabase();
  a = await startAuthServer({ prisma: db.prisma, resourceUrl: RESOURCE, deps: { clock: () => new Date(now) } });
  b = await startAuthProcess({ databaseUrl: db.url, issuer: a.issuer, resourceUrl: RESOURCE });
  await createUser(db.prisma, USER.email, USER.password);
  // Server A's clock starts now, not at import: process B runs on the real clock, and a setup
  // slower than the 10 s grace window (a loaded machine) would otherwise put A's rotations
  // outside B's window before the first test.
  now = Date.now();
});

// Server A's clock follows the real one between tests: frozen at load time, it fell more than the
// grace window behind server B's on a loaded machine, and B then found A's replay record expired.
beforeEach(() => {
  now = Date.now();
});

afterAll(async () => {
  await b?.stop();
  await a?.close();
  await db?.drop();
});

const refresh = (base: string, clientId: string, refreshToken: string) =>
  token(base, { grant_type: 'refresh_token', refresh_token: refreshToken, client_id: clientId });

describe('single use across processes', () => {
  it('AS-17 concurrent code replay over two processes: exactly one 200', async () => {
    const clientId = await publicClient(a.issuer);
    const p = await pkce();
    const code = await codeFor(a.issuer, clientId, p, RESOURCE, USER);
    const form = { grant_type: 'authorization_code', code, redirect_uri: RU, code_verifier: p.verifier, client_id: clientId };
    const results = await Promise.all(Array.from({ length: 20 }, (_, i) => token(i % 2 ? b.url : a.issuer, form)));
    expect(results.filter((r) => r.status === 200)).toHaveLength(1);
    expect(results.filter((r) => r.status === 400 && r.body.error === 'invalid_grant')).toHaveLength(19);
  });

  it('AS-28 ten parallel refreshes over two processes: one new pair, shared by every winner; the grant survives', async () => {
    const clientId = await publicClient(a.issuer);
    const first = await tokensFor(a.issuer, clientId, RESOURCE, USER);
    const results = await Promise.all(Array.from({ length: 10 }, (_, i) => refresh(i % 2 ? b.url : a.issuer, clientId, first.refresh_token as string)));
    const ok = results.filter((r) => r.status === 200);
    expect(ok.length).toBeGreaterThanOrEqual(1);
    expect(results.every((r) => r.status === 200 || r.body.error === 'invalid_grant')).toBe(true);
    // Never two different live pairs.
    expect(new Set(ok.map((r) => r.body.refresh_token)).size).toBe(1);
    expect(new Set(ok.map((r) => r.body.access_token)).size).toBe(1);
    // The race revoked nothing: the one new refresh token still works.
    const next = await refresh(b.url, clientId, ok[0]?.body.refresh_token as string);
    expect(next.status).toBe(200);
  });

  it('AS-28 grace: the rotated token presented again within the window returns the same pair', async () => {
    const clientId = await publicClient(a.issuer);
    const first = await tokensFor(a.issuer, clientId, RESOURCE, USER);
    const rotated = await refresh(a.issuer, clientId, first.refresh_token as string);
    const again = await refresh(b.url, clientId, first.refresh_token as string);
    expect(rotated.status).toBe(200);
    expect(again.status).toBe(200);
    expect(again.body.refresh_token).toBe(rotated.body.refresh_token);
    expect(again.body.access_token).toBe(rotated.body.access_token);
  });

  it('AS-27 within the grace window, a rotated token whose successor was already used revokes the grant', async () => {
    const clientId = await publicClient(a.issuer);
    const first = await tokensFor(a.issuer, clientId, RESOURCE, USER);
    const second = await refresh(a.issuer, clientId, first.refresh_token as string);
    const third = await refresh(b.url, clientId, second.body.refresh_token as string);
    expect(third.status).toBe(200);
    // The client moved on from `first` two rotations ago: this is reuse, not a duplicate request.
    expect(await refresh(a.issuer, clientId, first.refresh_token as string)).toMatchObject({ status: 400, body: { error: 'invalid_grant' } });
    expect((await refresh(b.url, clientId, third.body.refresh_token as string)).body.error).toBe('invalid_grant');
  });

  it('AS-28 grace is per client: another client presenting the rotated token gets invalid_grant', async () => {
    const clientId = await publicClient(a.issuer);
    const other = await publicClient(a.issuer);
    const first = await tokensFor(a.issuer, clientId, RESOURCE, USER);
    expect((await refresh(a.issuer, clientId, first.refresh_token as string)).status).toBe(200);
    const stolen = await refresh(a.issuer, other, first.refresh_token as string);
    expect(stolen).toMatchObject({ status: 400, body: { error: 'invalid_grant' } });
  });

  it('AS-27 replay after the grace window revokes the whole grant', async () => {
    const clientId = await publicClient(a.issuer);
    const first = await tokensFor(a.issuer, clientId, RESOURCE, USER);
    const rotated = await refresh(a.issuer, clientId, first.refresh_token as string);
    expect(rotated.status).toBe(200);
    now += 11_000; // past the default 10 s window on server A's clock (the adapter's clock)
    try {
      const replay = await refresh(a.issuer, clientId, first.refresh_token as string);
      expect(replay).toMatchObject({ status: 400, body: { error: 'invalid_grant' } });
      // The family is gone: the token the rotation issued is dead too, on either process.
      expect((await refresh(b.url, clientId, rotated.body.refresh_token as string)).body.error).toBe('invalid_grant');
      expect(await db.prisma.oidcPayload.count({ where: { model: { in: ['RefreshToken', 'Grant', 'RefreshReplay'] }, payload: { path: ['clientId'], equals: clientId } } })).toBe(0);
    } finally {
      now = Date.now();
    }
  });
});
