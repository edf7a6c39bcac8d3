// The connection doctor end to end: both apps run for real on loopback against one Postgres, real
// clients fail in the ways connections fail in the field, and `pnpm admin doctor` (the real
// command, in process) names each failure's step and rule. Then the stored rows are searched for
// every secret the test handled: none may be there.
import { createTestDatabase, type TestDatabase } from '@omnichat/db/testing';
import * as oauth from 'openid-client';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';

import { loadAuthConfig } from '@omnichat/auth';
import { createUser, startAuthServer, type RunningAuthServer } from '@omnichat/auth/testing';
import { TestBrowser, authorizeInBrowser, authz, pkce, register, RU, token, freePort, postMcp, rpc } from '@omnichat/testkit';
import { startMcpServer, type RunningMcpServer } from '@omnichat/mcp/testing';
import { admin } from '@omnichat/admin/testing';

const EMAIL = 'doctor-user@example.com';
const PASSWORD = 'a doctor test passphrase';

type Attempt = { client_id: string | null; started_at: string; steps: { at: string; step: string; outcome: string; detail: string; rule?: string }[]; diagnosis?: string };

let db: TestDatabase;
let auth: RunningAuthServer;
let mcp: RunningMcpServer;
/** A second resource server the auth app does not issue tokens for (RESOURCE_URL differs). */
let otherMcp: RunningMcpServer;
/** Everything secret the test saw: no stored row may contain any of it. */
const secrets = new Set<string>([PASSWORD]);

beforeAll(async () => {
  db = await createTestDatabase();
  const resourceUrl = `http://127.0.0.1:${await freePort()}/mcp`;
  // REFRESH_REUSE_GRACE_SECONDS=0: a replayed refresh token is reuse at once (the grace is tested below).
  auth = await startAuthServer({ prisma: db.prisma, resourceUrl, env: { REFRESH_REUSE_GRACE_SECONDS: '0' } });
  await createUser(db.prisma, EMAIL, PASSWORD);
  mcp = await startMcpServer({ databaseUrl: db.url, issuer: auth.issuer, resourceUrl, jwksUrl: `${auth.issuer}/jwks` });
  otherMcp = await startMcpServer({ databaseUrl: db.url, issuer: auth.issuer, resourceUrl: `http://127.0.0.1:${await freePort()}/mcp`, jwksUrl: `${auth.issuer}/jwks` });
});

afterAll(async () => {
  await otherMcp?.close();
  await mcp?.close();
  await auth?.close();
  await db?.drop();
});

async function flushAll(): Promise<void> {
  await Promise.all([auth.app.doctor.flush(), mcp.app.doctor.flush(), otherMcp.app.doctor.flush()]);
}

async function doctor(...argv: string[]): Promise<Attempt[]> {
  await flushAll();
  const run = await admin(db.prisma, ['doctor', ...argv, '--json']);
  expect(run.stderr).toBe('');
  expect(run.code).toBe(0);
  return (JSON.parse(run.stdout) as { attempts: Attempt[] }).attempts;
}

async function newClient(redirectUris: string[] = [RU]): Promise<string> {
  const { status, body } = await register(auth.issuer, { redirect_uris: redirectUris });
  expect(status).toBe(201);
  return body.client_id as string;
}

/** Signs in and consents; returns the code (kept as a secret) and the PKCE pair used. */
async function signInForCode(clientId: string, scope = 'files:read'): Promise<{ code: string; verifier: string }> {
  const p = await pkce();
  secrets.add(p.verifier);
  const page = await authorizeInBrowser(new TestBrowser(auth.issuer), authz(auth.issuer, clientId, p, mcp.url, { scope }), { email: EMAIL, password: PASSWORD });
  const code = URL.parse(page.location ?? '')?.searchParams.get('code');
  if (!code) throw new Error(`no code: ${page.status} ${page.body.slice(0, 200)}`);
  secrets.add(code);
  return { code, verifier: p.verifier };
}

async function tokensFor(clientId: string, scope = 'files:read offline_access'): Promise<{ access: string; refresh: string }> {
  const { code, verifier } = await signInForCode(clientId, scope);
  const { status, body } = await token(auth.issuer, { grant_type: 'authorization_code', code, redirect_uri: RU, code_verifier: verifier, client_id: clientId });
  expect(status, JSON.stringify(body)).toBe(200);
  secrets.add(body.access_token as string);
  if (body.refresh_token) secrets.add(body.refresh_token as string);
  if (body.id_token) secrets.add(body.id_token as string);
  return { access: body.access_token as string, refresh: body.refresh_token as string };
}

function failureOf(attempts: Attempt[]) {
  const attempt = attempts.find((candidate) => candidate.steps.some((step) => step.outcome === 'failed'));
  expect(attempt, JSON.stringify(attempts, null, 2)).toBeDefined();
  return { attempt: attempt!, step: attempt!.steps.find((step) => step.outcome === 'failed')! };
}

describe('pnpm admin doctor names the step and the rule of each failed connection', () => {
  it('a redirect URI that is not registered (loopback registered with a port): authorize, RFC 8252 §7.3', async () => {
    const clientId = await newClient(['http://127.0.0.1:8080/callback']);
    const p = await pkce();
    const response = await fetch(authz(auth.issuer, clientId, p, mcp.url, { redirect_uri: 'http://127.0.0.1:53123/callback' }), { redirect: 'manual' });
    expect(response.status).toBe(400);

    const attempts = await doctor(`--client=${clientId}`);
    const { attempt, step } = failureOf(attempts);
    expect(attempt.client_id).toBe(clientId);
    expect(attempt.steps.map((s) => s.step)).toEqual(expect.arrayContaining(['registration', 'authorize']));
    expect(step).toMatchObject({ step: 'authorize', outcome: 'failed', rule: 'redirect_uri.unregistered' });
    expect(attempt.diagnosis).toContain('redirect_uri http://127.0.0.1:53123/callback is not registered');
    expect(attempt.diagnosis).toContain('http://127.0.0.1:8080/callback');
    expect(attempt.diagnosis).toContain('RFC 8252 §7.3');
    expect(attempt.diagnosis).toMatch(/loopback URIs match any port only when registered without one/);
  });

  it('a wrong PKCE verifier: token, RFC 7636 §4.6', async () => {
    const clientId = await newClient();
    const { code } = await signInForCode(clientId);
    const wrong = oauth.randomPKCECodeVerifier();
    secrets.add(wrong);
    const { status, body } = await token(auth.issuer, { grant_type: 'authorization_code', code, redirect_uri: RU, code_verifier: wrong, client_id: clientId });
    expect(status).toBe(400);
    expect(body.error).toBe('invalid_grant');

    const attempts = await doctor(`--client=${clientId}`);
    const { attempt, step } = failureOf(attempts);
    expect(attempt.steps.map((s) => s.step)).toEqual(expect.arrayContaining(['authorize', 'sign-in', 'consent', 'token']));
    expect(step).toMatchObject({ step: 'token', rule: 'pkce.mismatch' });
    expect(attempt.diagnosis).toContain('code_verifier does not match the code_challenge');
    expect(attempt.diagnosis).toContain('RFC 7636 §4.6');
  });

  it('a token for another audience at /mcp: mcp, aud names both URLs', async () => {
    const clientId = await newClient();
    const { access } = await tokensFor(clientId);
    const reply = await postMcp(otherMcp.url, rpc('tools/list'), { token: access });
    expect(reply.status).toBe(401);

    const attempts = await doctor(`--client=${clientId}`);
    const { attempt, step } = failureOf(attempts);
    expect(step).toMatchObject({ step: 'mcp', rule: 'token.aud_mismatch' });
    expect(attempt.diagnosis).toContain(`token \`aud\` is ${mcp.url} but this server is ${otherMcp.url}`);
    expect(attempt.diagnosis).toContain('RFC 8707');
  });

  it('a replayed refresh token: refresh, reuse revokes the grant (RFC 9700 §4.14.2)', async () => {
    const clientId = await newClient();
    const { refresh, access } = await tokensFor(clientId);
    expect((await postMcp(mcp.url, rpc('tools/list'), { token: access })).status).toBe(200);
    const first = await token(auth.issuer, { grant_type: 'refresh_token', refresh_token: refresh, client_id: clientId });
    expect(first.status).toBe(200);
    secrets.add(first.body.access_token as string);
    secrets.add(first.body.refresh_token as string);
    const replay = await token(auth.issuer, { grant_type: 'refresh_token', refresh_token: refresh, client_id: clientId });
    expect(replay.status).toBe(400);

    const attempts = await doctor(`--client=${clientId}`);
    const { attempt, step } = failureOf(attempts);
    expect(attempt.steps.map((s) => `${s.step}:${s.outcome}`)).toEqual(expect.arrayContaining(['token:ok', 'mcp:ok', 'refresh:ok', 'refresh:failed']));
    expect(attempt.steps.find((s) => s.step === 'refresh' && s.outcome === 'ok')?.detail).toContain('rotated');
    expect(step).toMatchObject({ step: 'refresh', rule: 'refresh.reuse' });
    expect(attempt.diagnosis).toContain('already rotated came back');
    expect(attempt.diagnosis).toContain('RFC 9700 §4.14.2');
  });

  it('refresh within the grace window: a duplicate is answered again (grace), then reuse after the successor was used revokes (reuse)', async () => {
    const graceAuth = await startAuthServer({ prisma: db.prisma, resourceUrl: mcp.url, env: { REFRESH_REUSE_GRACE_SECONDS: '30' } });
    try {
      const { status, body } = await register(graceAuth.issuer, {});
      expect(status).toBe(201);
      const clientId = body.client_id as string;
      const p = await pkce();
      secrets.add(p.verifier);
      const page = await authorizeInBrowser(new TestBrowser(graceAuth.issuer), authz(graceAuth.issuer, clientId, p, mcp.url, { scope: 'files:read offline_access' }), { email: EMAIL, password: PASSWORD });
      const code = URL.parse(page.location ?? '')?.searchParams.get('code') ?? '';
      secrets.add(code);
      const tokens = await token(graceAuth.issuer, { grant_type: 'authorization_code', code, redirect_uri: RU, code_verifier: p.verifier, client_id: clientId });
      const refresh = tokens.body.refresh_token as string;
      secrets.add(refresh);
      const first = await token(graceAuth.issuer, { grant_type: 'refresh_token', refresh_token: refresh, client_id: clientId });
      const duplicate = await token(graceAuth.issuer, { grant_type: 'refresh_token', refresh_token: refresh, client_id: clientId });
      expect(duplicate.status).toBe(200);
      expect(duplicate.body.refresh_token).toBe(first.body.refresh_token);
      secrets.add(first.body.refresh_token as string);
      const next = await token(graceAuth.issuer, { grant_type: 'refresh_token', refresh_token: first.body.refresh_token as string, client_id: clientId });
      expect(next.status).toBe(200);
      secrets.add(next.body.refresh_token as string);
      const reuse = await token(graceAuth.issuer, { grant_type: 'refresh_token', refresh_token: refresh, client_id: clientId });
      expect(reuse.status).toBe(400);
      await graceAuth.app.doctor.flush();

      const attempts = await doctor(`--client=${clientId}`);
      const refreshes = attempts.flatMap((attempt) => attempt.steps).filter((s) => s.step === 'refresh');
      expect(refreshes.map((s) => [s.outcome, s.rule ?? ''])).toEqual([['ok', ''], ['ok', ''], ['ok', ''], ['failed', 'refresh.reuse']]);
      expect(refreshes[1]?.detail).toContain('within the 30 s grace');
      expect(attempts[0]?.diagnosis).toContain('refresh failed [refresh.reuse]');
    } finally {
      await graceAuth.close();
    }
  });

  it('a tool call without the scope it needs: mcp, insufficient_scope names the tool and both scope sets', async () => {
    const clientId = await newClient();
    const { access } = await tokensFor(clientId, 'files:read');
    const reply = await postMcp(mcp.url, rpc('tools/call', { name: 'private_files_write', arguments: { path: 'a.txt', content: 'x' } }), { token: access });
    expect(reply.status).toBe(403);

    const attempts = await doctor(`--client=${clientId}`);
    const { attempt, step } = failureOf(attempts);
    expect(step).toMatchObject({ step: 'mcp', rule: 'scope.insufficient' });
    expect(attempt.diagnosis).toContain('tools/call private_files_write needs files:write; the token holds files:read');
    expect(attempt.diagnosis).toContain('RFC 6750 §3.1');
  });

  it('discovery, registration, a wrong password and a Deny: each its own step, the first failure diagnosed', async () => {
    expect((await postMcp(mcp.url, rpc('tools/list'))).status).toBe(401);
    expect((await fetch(`${mcp.origin}/.well-known/oauth-protected-resource/mcp`)).status).toBe(200);
    expect((await fetch(`${auth.issuer}/.well-known/oauth-authorization-server`)).status).toBe(200);
    const clientId = await newClient();
    const p = await pkce();
    secrets.add(p.verifier);
    await expect(authorizeInBrowser(new TestBrowser(auth.issuer), authz(auth.issuer, clientId, p, mcp.url), { email: EMAIL, password: 'not the password' })).rejects.toThrow(/did not finish/);
    secrets.add('not the password');
    const denied = await authorizeInBrowser(new TestBrowser(auth.issuer), authz(auth.issuer, clientId, p, mcp.url), { email: EMAIL, password: PASSWORD, decision: 'deny' });
    expect(denied.location).toContain('error=access_denied');

    const attempts = await doctor(`--client=${clientId}`);
    const steps = attempts.flatMap((attempt) => attempt.steps);
    expect(steps.filter((s) => s.step === 'discovery').map((s) => s.detail)).toEqual(expect.arrayContaining([
      expect.stringContaining('anonymous POST /mcp answered 401'),
      expect.stringContaining('/.well-known/oauth-protected-resource/mcp → 200'),
      expect.stringContaining('/.well-known/oauth-authorization-server → 200'),
    ]));
    expect(steps).toEqual(expect.arrayContaining([
      expect.objectContaining({ step: 'registration', outcome: 'ok' }),
      expect.objectContaining({ step: 'sign-in', outcome: 'failed', rule: 'sign-in.failed' }),
      expect.objectContaining({ step: 'sign-in', outcome: 'ok' }),
      expect.objectContaining({ step: 'consent', outcome: 'failed', rule: 'consent.denied' }),
    ]));
    const last = attempts[0]!;
    expect(last.diagnosis).toMatch(/^consent failed \[consent\.denied\]: the user chose Deny/);
  });

  it('--user finds the same attempts by the signed-in account, and text output shows the diagnosis', async () => {
    await flushAll();
    const byUser = await doctor('--user', EMAIL.toUpperCase());
    const rules = byUser.flatMap((attempt) => attempt.steps.map((step) => step.rule)).filter(Boolean);
    expect(rules).toEqual(expect.arrayContaining(['pkce.mismatch', 'token.aud_mismatch', 'refresh.reuse', 'scope.insufficient']));
    const text = await admin(db.prisma, ['doctor', '--user', EMAIL, '--since', '30m']);
    expect(text.code).toBe(0);
    expect(text.stdout).toMatch(/attempt 1: client \S+, started/);
    expect(text.stdout).toMatch(/token +FAILED .*\[pkce\.mismatch\]/);
    expect(text.stdout).toContain('diagnosis: ');
  });

  it('the JSON has exactly the documented shape', async () => {
    const attempts = await doctor('--since', '1h');
    expect(attempts.length).toBeGreaterThan(0);
    for (const attempt of attempts) {
      expect(Object.keys(attempt).sort()).toEqual(attempt.diagnosis === undefined ? ['client_id', 'started_at', 'steps'] : ['client_id', 'diagnosis', 'started_at', 'steps']);
      for (const step of attempt.steps) {
        expect(['discovery', 'registration', 'authorize', 'sign-in', 'consent', 'token', 'mcp', 'refresh']).toContain(step.step);
        expect(['ok', 'failed']).toContain(step.outcome);
        expect(Object.keys(step).every((key) => ['at', 'step', 'outcome', 'detail', 'rule'].includes(key))).toBe(true);
        expect(new Date(step.at).toISOString()).toBe(step.at);
      }
    }
  });

  it('nothing secret is stored: no token, code, verifier or password in any row', async () => {
    await flushAll();
    const rows = await db.prisma.$queryRaw<{ text: string }[]>`SELECT row_to_json(e)::text AS text FROM "ConnectionEvent" e`;
    expect(rows.length).toBeGreaterThan(20);
    const all = rows.map((row) => row.text).join('\n');
    expect(secrets.size).toBeGreaterThan(15);
    for (const secret of secrets) expect(all.includes(secret), `a stored row holds ${secret.slice(0, 12)}…`).toBe(false);
    // Nor a JWT of any kind (header.payload.signature), nor a field named for a secret.
    expect(all).not.toMatch(/eyJ[\w-]+\.eyJ[\w-]+\.[\w-]+/);
    expect(all).not.toMatch(/"(code|code_verifier|code_challenge|refresh_token|access_token|id_token|password|client_secret|client_assertion|cookie|state|nonce)"\s*:/i);
  });
});

describe('pnpm admin doctor takes a client id that begins with "-"', () => {
  // DCR ids are random base64url: one in 64 begins with "-", as option value and not as an option.
  it.each([[['--client', '-Xy3-no-such-client']], [['--client=-Xy3-no-such-client']]])('doctor %j', async (argv) => {
    expect(await doctor(...argv)).toEqual([]);
  });
});

describe('pnpm admin doctor refuses what it cannot answer', () => {
  it.each([
    [['--since', '5x'], 2, /--since must be a positive duration like 30m, 2h or 3d/],
    [['--since', '0m'], 2, /--since must be a positive duration/],
    [['--since', '1000d'], 2, /at most 90d/],
    [['--user', 'not-an-email'], 2, /--user takes an email address/],
    [['--client', ''], 2, /--client needs a client_id/],
    [['--client', '--json'], 2, /argument is ambiguous/],
    [['--bogus'], 2, /Unknown option '--bogus'/],
    [['extra'], 2, /unexpected argument "extra"/],
    [['--user', 'nobody@example.com'], 1, /no user with email nobody@example.com/],
  ])('doctor %j → exit %i', async (argv, code, message) => {
    const run = await admin(db.prisma, ['doctor', ...argv]);
    expect(run.code).toBe(code);
    expect(run.stderr).toMatch(message);
    expect(run.stdout).toBe('');
  });
});

describe('DOCTOR_RETENTION_HOURS', () => {
  const base = { ISSUER: 'http://127.0.0.1:4000' };
  it('defaults to 72 hours, takes whole hours from 1 to 2160, refuses anything else at start-up', () => {
    expect(loadAuthConfig(base).doctorRetentionHours).toBe(72);
    expect(loadAuthConfig({ ...base, DOCTOR_RETENTION_HOURS: '6' }).doctorRetentionHours).toBe(6);
    for (const bad of ['0', '-1', '1.5', 'three', '2161']) {
      expect(() => loadAuthConfig({ ...base, DOCTOR_RETENTION_HOURS: bad }), bad).toThrow(/DOCTOR_RETENTION_HOURS/);
    }
  });
});
