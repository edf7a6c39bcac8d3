/**
 * Database faults (docs/security.md REL-2 on the authorization server): a real Postgres
 * this test owns (embedded, on a fixed port) is stopped under the running auth app mid-flow and
 * started again on the same port. The app is never restarted.
 */
import { startOutagePostgres, type OutagePostgres } from '@omnichat/db/testing';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';

import { createUser, startAuthServer, type RunningAuthServer } from '../helpers/auth-server.js';
import { TestBrowser, csrfFrom, formActions, authorizeInBrowser, RU, authz, codeFor, pkce, publicClient, register, token, tokensFor, type Json, type Pkce } from '@omnichat/testkit';

/** What "fast" means: far below any client timeout, well above a refused connect. */
const FAST_MS = 3_000;
const RESOURCE = 'http://127.0.0.1:3996/mcp';
const USER = { email: 'outage@example.com', password: 'a long and unguessable password' };
/** Internals that must never reach a client: stack frames, file paths, driver and ORM names. */
const INTERNALS = /\bat [\w.<>]+ \(|\.[cm]?[jt]s:\d+|node_modules|ECONNREFUSED|prisma|postgres|\bpg\b/i;

let postgres: OutagePostgres;
let auth: RunningAuthServer;

beforeAll(async () => {
  postgres = await startOutagePostgres('auth_faults');
  // The app's own pool, made by createPrismaClient with its default timeouts.
  auth = await startAuthServer({ databaseUrl: postgres.url, resourceUrl: RESOURCE });
  await createUser(auth.prisma, USER.email, USER.password);
}, 120_000);

afterAll(async () => {
  await auth?.close();
  await postgres?.close();
});

type Probe = { status: number; contentType: string; body: string; ms: number };

/** One request with a hard deadline: a hang fails the test instead of stalling it. */
async function probe(url: string, init: RequestInit = {}, deadlineMs = FAST_MS * 2): Promise<Probe> {
  const started = performance.now();
  const response = await fetch(url, { redirect: 'manual', ...init, signal: AbortSignal.timeout(deadlineMs) });
  const body = await response.text();
  return { status: response.status, contentType: response.headers.get('content-type') ?? '', body, ms: performance.now() - started };
}

const form = (fields: Record<string, string>, headers: Record<string, string> = {}): RequestInit => ({
  method: 'POST',
  headers: { 'content-type': 'application/x-www-form-urlencoded', ...headers },
  body: new URLSearchParams(fields).toString(),
});

function expectFast(result: Probe, label: string): void {
  expect(result.ms, label).toBeLessThan(FAST_MS);
  expect(result.body, label).not.toMatch(INTERNALS);
}

/** API endpoints: a 500 with RFC 6749 §5.2's JSON shape and the generic `server_error`. */
function expectJsonServerError(result: Probe, label: string): void {
  expectFast(result, label);
  expect(result.status, label).toBe(500);
  expect(result.contentType, label).toMatch(/^application\/json/);
  expect(JSON.parse(result.body), label).toMatchObject({ error: 'server_error' });
}

/** Pages people see: the branded error page, never a JSON blob or a blank 500. */
function expectServerErrorPage(result: Probe, label: string): void {
  expectFast(result, label);
  expect(result.status, label).toBe(500);
  expect(result.contentType, label).toMatch(/^text\/html/);
  expect(result.body, label).toContain('Something went wrong on our side');
  expect(result.body, label).toContain('server_error');
}

describe('Postgres stopped under the running auth app, then started again', () => {
  it('REL-2 every endpoint answers fast and cleanly while the database is down; nothing is issued twice; the app recovers without a restart', async () => {
    const base = auth.issuer;
    const clientId = await publicClient(base);
    const tokens = await tokensFor(base, clientId, RESOURCE, USER);
    // A code issued before the outage and first redeemed during it.
    const pending: Pkce = await pkce();
    const pendingCode = await codeFor(base, clientId, pending, RESOURCE, USER);
    const redeemPending = () => token(base, { grant_type: 'authorization_code', code: pendingCode, redirect_uri: RU, code_verifier: pending.verifier, client_id: clientId });
    // A person halfway through: on the sign-in page when the database goes away.
    const midFlow = new TestBrowser(base);
    const midPkce = await pkce();
    const loginPage = await midFlow.follow(authz(base, clientId, midPkce, RESOURCE));
    const loginAction = formActions(loginPage.body).find((action) => action.endsWith('/login'));
    expect(loginAction).toBeDefined();
    const interactionUrl = loginAction!.replace(/\/login$/, '');
    const csrf = csrfFrom(loginPage.body);
    // Signed in already: their next authorization request needs the database for the client.
    const signedIn = new TestBrowser(base);
    await authorizeInBrowser(signedIn, authz(base, clientId, await pkce(), RESOURCE), USER);

    await postgres.stopNow();

    // Served from memory: metadata, keys and liveness stay up.
    for (const url of [`${base}/.well-known/openid-configuration`, `${base}/.well-known/oauth-authorization-server`, `${base}/jwks`, `${base}/healthz`]) {
      const result = await probe(url);
      expectFast(result, url);
      expect(result.status, url).toBe(200);
    }
    const ready = await probe(`${base}/readyz`);
    expectFast(ready, '/readyz');
    expect(ready.status).toBe(503);
    expect(JSON.parse(ready.body)).toEqual({ status: 'unavailable', database: 'unreachable' });

    // API endpoints that need the database: JSON server_error.
    const registration = await probe(`${base}/register`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ redirect_uris: [RU], token_endpoint_auth_method: 'none', grant_types: ['authorization_code', 'refresh_token'] }),
    });
    expectJsonServerError(registration, 'POST /register');
    const code = await probe(`${base}/token`, form({ grant_type: 'authorization_code', code: pendingCode, redirect_uri: RU, code_verifier: pending.verifier, client_id: clientId }));
    expectJsonServerError(code, 'POST /token (code)');
    const refresh = await probe(`${base}/token`, form({ grant_type: 'refresh_token', refresh_token: tokens.refresh_token as string, client_id: clientId }));
    expectJsonServerError(refresh, 'POST /token (refresh)');
    const revocation = await probe(`${base}/token/revocation`, form({ token: tokens.refresh_token as string, client_id: clientId }));
    expectJsonServerError(revocation, 'POST /token/revocation');
    const introspection = await probe(`${base}/token/introspection`, form({ token: tokens.access_token as string, client_id: clientId }));
    expectJsonServerError(introspection, 'POST /token/introspection');
    const userinfo = await probe(`${base}/me`, { headers: { authorization: `Bearer ${tokens.access_token as string}` } });
    expectJsonServerError(userinfo, 'GET /me');

    // Pages: the friendly error page.
    expectServerErrorPage(await probe(authz(base, clientId, await pkce(), RESOURCE)), 'GET /auth');
    const signedInAgain = await signedIn.request(authz(base, clientId, await pkce(), RESOURCE));
    expectServerErrorPage({ ...signedInAgain, contentType: signedInAgain.headers.get('content-type') ?? '', ms: 0 }, 'GET /auth (signed in)');
    const interaction = await midFlow.request(interactionUrl);
    expectServerErrorPage({ ...interaction, contentType: interaction.headers.get('content-type') ?? '', ms: 0 }, 'GET /interaction/:uid');
    const login = await midFlow.request(loginAction!, { form: { csrf, email: USER.email, password: USER.password }, headers: { origin: base } });
    expectServerErrorPage({ ...login, contentType: login.headers.get('content-type') ?? '', ms: 0 }, 'POST /interaction/:uid/login');
    for (const url of [`${base}/account`]) {
      const result = await probe(url);
      expectFast(result, url);
      expect(result.status, url).toBeLessThan(600);
      if (result.status >= 500) expectServerErrorPage(result, url);
    }

    await postgres.restart();

    // Same process, same pool: ready again, and every half-done thing completes exactly once.
    expect((await probe(`${base}/readyz`)).status).toBe(200);
    const refreshed = await token(base, { grant_type: 'refresh_token', refresh_token: tokens.refresh_token as string, client_id: clientId });
    expect(refreshed.status).toBe(200);
    // (The replays below also revoke the grant these tokens share: AS-17's reuse detection.)
    const redemptions = await Promise.all(Array.from({ length: 5 }, () => redeemPending()));
    expect(redemptions.filter((r) => r.status === 200)).toHaveLength(1);
    expect(redemptions.filter((r) => r.status === 400 && r.body.error === 'invalid_grant')).toHaveLength(4);
    expect((await register(base)).status).toBe(201);
    // The person on the sign-in page finishes where they were (the interaction survived in Postgres).
    const finished = await authorizeInBrowser(midFlow, interactionUrl, USER);
    const midCode = URL.parse(finished.location ?? '')?.searchParams.get('code');
    expect(midCode).toBeTruthy();
    const midTokens = await token(base, { grant_type: 'authorization_code', code: midCode!, redirect_uri: RU, code_verifier: midPkce.verifier, client_id: clientId });
    expect(midTokens.status).toBe(200);
  }, 120_000);

  it('REL-2 a code redeemed while Postgres goes away is redeemed at most once after it returns', async () => {
    const base = auth.issuer;
    const clientId = await publicClient(base);
    const p = await pkce();
    const code = await codeFor(base, clientId, p, RESOURCE, USER);
    const redeem = () => token(base, { grant_type: 'authorization_code', code, redirect_uri: RU, code_verifier: p.verifier, client_id: clientId }).catch(() => ({ status: 0, body: {} as Json }));

    // Redemptions keep arriving, three at a time, while the database stops under them.
    const flapped: Awaited<ReturnType<typeof redeem>>[] = [];
    let stopped = false;
    const traffic = (async () => {
      while (!stopped || flapped.length < 9) flapped.push(...(await Promise.all([redeem(), redeem(), redeem()])));
    })();
    await postgres.stopNow();
    stopped = true;
    await traffic;
    await postgres.restart();
    const after = await Promise.all(Array.from({ length: 10 }, () => redeem()));

    const all = [...flapped, ...after];
    expect(all.filter((r) => r.status === 200).length).toBeLessThanOrEqual(1);
    // A refusal or a clean server_error; never a hang (0) or another 5xx.
    expect(all.every((r) => r.status === 200 || (r.status === 400 && r.body.error === 'invalid_grant') || (r.status === 500 && r.body.error === 'server_error'))).toBe(true);
    // Once Postgres is back, every answer is decided by the stored code, not by the outage.
    expect(after.filter((r) => r.status === 500)).toHaveLength(0);
  }, 120_000);

  it('REL-2 a Postgres that accepts connections but never answers: bounded by the pool timeouts, then recovery', async () => {
    // The same timeouts as production, shortened through the URL (libpq connect_timeout, pg statement_timeout).
    const tight = await startAuthServer({ databaseUrl: `${postgres.url}?connect_timeout=1&statement_timeout=800`, resourceUrl: RESOURCE });
    try {
      const base = tight.issuer;
      const clientId = await publicClient(base);
      const tokens = await tokensFor(base, clientId, RESOURCE, USER);
      // Bound: one connect (1 s) or statement (0.8 s + 1 s client-side grace) wait, plus the
      // rate-limit store's own 1 s cap once, with scheduling slack.
      const boundMs = 4_000;

      await postgres.freeze();
      try {
        const results = await Promise.all([
          probe(`${base}/readyz`, {}, boundMs),
          probe(`${base}/register`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ redirect_uris: [RU], token_endpoint_auth_method: 'none' }) }, boundMs),
          probe(`${base}/token`, form({ grant_type: 'refresh_token', refresh_token: tokens.refresh_token as string, client_id: clientId }), boundMs),
          probe(`${base}/token/introspection`, form({ token: tokens.access_token as string, client_id: clientId }), boundMs),
          probe(authz(base, clientId, await pkce(), RESOURCE), {}, boundMs),
          probe(`${base}/healthz`, {}, boundMs),
        ]);
        const [ready, registration, refresh, introspection, authorization, health] = results;
        for (const result of results) expect(result.ms).toBeLessThan(boundMs);
        expect(ready?.status).toBe(503);
        expect(health?.status).toBe(200);
        for (const [result, label] of [[registration, '/register'], [refresh, '/token'], [introspection, '/token/introspection']] as const) {
          expectJsonServerError({ ...result!, ms: 0 }, label);
        }
        expectServerErrorPage({ ...authorization!, ms: 0 }, '/auth');
      } finally {
        await postgres.thaw();
      }

      expect((await probe(`${base}/readyz`)).status).toBe(200);
      expect((await token(base, { grant_type: 'refresh_token', refresh_token: tokens.refresh_token as string, client_id: clientId })).status).toBe(200);
    } finally {
      await tight.close();
    }
  }, 120_000);

  it('REL-2 under load, three restarts: fast clean 500s only while down, recovery without a restart, no refresh token or code ever issued twice', async () => {
    const base = auth.issuer;
    const clientId = await publicClient(base);
    const codes: { code: string; verifier: string }[] = [];
    for (let i = 0; i < 3; i += 1) {
      const p = await pkce();
      codes.push({ code: await codeFor(base, clientId, p, RESOURCE, USER), verifier: p.verifier });
    }
    let refreshToken = (await tokensFor(base, clientId, RESOURCE, USER)).refresh_token as string;

    type Sample = { what: string; status: number; error: unknown; startedAt: number; ms: number };
    const samples: Sample[] = [];
    /** Refresh tokens presented → the distinct refresh tokens that came back for each. */
    const issuedFor = new Map<string, Set<string>>();
    const codeWins = new Map<string, number>();
    let running = true;
    const timed = async (what: string, work: () => Promise<{ status: number; body: Json }>) => {
      const startedAt = performance.now();
      const reply = await work();
      samples.push({ what, status: reply.status, error: reply.body.error, startedAt, ms: performance.now() - startedAt });
      return reply;
    };
    const json = async (response: Response) => {
      const text = await response.text();
      return { status: response.status, body: (text.startsWith('{') ? JSON.parse(text) : {}) as Json };
    };
    const deadline = () => ({ signal: AbortSignal.timeout(FAST_MS * 2) });
    const workers = [
      // ~1 registration per 100 ms (the catalogue's 1 rps DCR, compressed).
      (async () => {
        while (running) {
          await timed('register', async () => json(await fetch(`${base}/register`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ redirect_uris: [RU], token_endpoint_auth_method: 'none' }), ...deadline() })));
          await new Promise((resolve) => setTimeout(resolve, 100));
        }
      })(),
      // One refresh chain, retried with the same token after a failure, as a client would.
      (async () => {
        while (running) {
          const presented = refreshToken;
          const reply = await timed('refresh', () => token(base, { grant_type: 'refresh_token', refresh_token: presented, client_id: clientId }));
          if (reply.status === 200) {
            const issued = issuedFor.get(presented) ?? new Set<string>();
            issued.add(reply.body.refresh_token as string);
            issuedFor.set(presented, issued);
            refreshToken = reply.body.refresh_token as string;
          }
          await new Promise((resolve) => setTimeout(resolve, 50));
        }
      })(),
      // Codes redeemed (and retried) through the restarts.
      (async () => {
        while (running) {
          for (const { code, verifier } of codes) {
            const reply = await timed('code', () => token(base, { grant_type: 'authorization_code', code, redirect_uri: RU, code_verifier: verifier, client_id: clientId }));
            if (reply.status === 200) codeWins.set(code, (codeWins.get(code) ?? 0) + 1);
          }
          await new Promise((resolve) => setTimeout(resolve, 100));
        }
      })(),
      // What needs no database keeps answering 200.
      (async () => {
        while (running) {
          await timed('discovery', async () => json(await fetch(`${base}/.well-known/oauth-authorization-server`, deadline())));
          await timed('jwks', async () => json(await fetch(`${base}/jwks`, deadline())));
          await new Promise((resolve) => setTimeout(resolve, 100));
        }
      })(),
    ];

    const restarts: { downAt: number; upAt: number }[] = [];
    try {
      for (let i = 0; i < 3; i += 1) {
        await new Promise((resolve) => setTimeout(resolve, 700));
        const downAt = performance.now();
        await postgres.stopNow();
        await new Promise((resolve) => setTimeout(resolve, 1_000));
        await postgres.restart();
        restarts.push({ downAt, upAt: performance.now() });
      }
      await new Promise((resolve) => setTimeout(resolve, 1_500));
    } finally {
      running = false;
      await Promise.all(workers);
    }

    // No hang, and no 5xx other than a clean server_error.
    for (const sample of samples) {
      expect(sample.ms, sample.what).toBeLessThan(FAST_MS);
      if (sample.status >= 500) expect(sample, sample.what).toMatchObject({ status: 500, error: 'server_error' });
    }
    expect(samples.filter((s) => s.what === 'discovery' || s.what === 'jwks').every((s) => s.status === 200)).toBe(true);
    // 500s only for requests that overlapped an outage (started before the database was back).
    const RECOVERY_SLACK_MS = 500;
    const afterRecovery = samples.filter((s) => s.status >= 500 && !restarts.some((r) => s.startedAt + s.ms >= r.downAt && s.startedAt <= r.upAt + RECOVERY_SLACK_MS));
    expect(afterRecovery).toEqual([]);
    expect(samples.filter((s) => s.status >= 500).length).toBeGreaterThan(0);
    // Registrations succeed again within 10 s of each restart (the catalogue's bound), same process.
    for (const restart of restarts) {
      const firstOk = samples.find((s) => s.what === 'register' && s.status === 201 && s.startedAt > restart.upAt);
      expect(firstOk).toBeDefined();
      expect(firstOk!.startedAt + firstOk!.ms - restart.upAt).toBeLessThan(10_000);
    }
    // Never two different token sets for one refresh token or one code. (A refresh cut between
    // consuming the old token and storing the new pair leaves the chain at invalid_grant, which the
    // catalogue allows: the client signs in again.)
    expect(issuedFor.size).toBeGreaterThan(0);
    for (const issued of issuedFor.values()) expect(issued.size).toBe(1);
    expect([...codeWins.values()].every((wins) => wins === 1)).toBe(true);
  }, 120_000);
});
