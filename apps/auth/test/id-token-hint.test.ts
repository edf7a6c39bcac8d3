// ChatGPT's reconnect: `id_token_hint` on a re-authorization, often with a missing or empty
// `scope` (docs/clients.md §6). OIDC Core §3.1.2.1: the hint says who the client expects; a mismatch
// with the session means a login prompt, or `login_required` under prompt=none.
import { createTestDatabase } from '@omnichat/db/testing';
import { decodeJwt } from 'jose';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';

import { createUser, startAuthServer, type RunningAuthServer } from './helpers/auth-server.js';
import { TestBrowser, csrfFrom, formActions, authorizeInBrowser, RU, authz, pkce, publicClient, token, type Pkce } from '@omnichat/testkit';

const RESOURCE = 'http://127.0.0.1:3995/mcp';
const ALICE = { email: 'alice.hint@example.com', password: 'correct horse battery staple' };
const BOB = { email: 'bob.hint@example.com', password: 'another long enough password' };

let db: Awaited<ReturnType<typeof createTestDatabase>>;
let server: RunningAuthServer;
let aliceId: string;
let bobId: string;

beforeAll(async () => {
  db = await createTestDatabase();
  server = await startAuthServer({ prisma: db.prisma, resourceUrl: RESOURCE });
  aliceId = await createUser(db.prisma, ALICE.email, ALICE.password);
  bobId = await createUser(db.prisma, BOB.email, BOB.password);
});

afterAll(async () => {
  await server?.close();
  await db?.drop();
});

type Connected = { browser: TestBrowser; clientId: string; idToken: string; scope: unknown };

/** A first connect that asks for `openid` (so an id_token comes back), signed in and consented. */
async function connect(user: { email: string; password: string }, clientId?: string): Promise<Connected> {
  const id = clientId ?? (await publicClient(server.issuer));
  const browser = new TestBrowser(server.issuer);
  const p = await pkce();
  // No scope: our default is everything this client may have, openid included (AS-38).
  const result = await authorizeInBrowser(browser, authz(server.issuer, id, p, RESOURCE, { scope: null }), user);
  const code = URL.parse(result.location ?? '')?.searchParams.get('code');
  expect(code, result.location ?? result.body.slice(0, 200)).toBeTruthy();
  const tokens = await token(server.issuer, { grant_type: 'authorization_code', code: code!, redirect_uri: RU, code_verifier: p.verifier, client_id: id });
  expect(tokens.status).toBe(200);
  expect(typeof tokens.body.id_token).toBe('string');
  return { browser, clientId: id, idToken: tokens.body.id_token as string, scope: tokens.body.scope };
}

function reconnectUrl(connected: { clientId: string }, p: Pkce, hint: string, overrides: Record<string, string | null> = {}): string {
  return authz(server.issuer, connected.clientId, p, RESOURCE, { scope: null, id_token_hint: hint, ...overrides });
}

function redirectParams(location: string | undefined): URLSearchParams {
  const url = URL.parse(location ?? '');
  expect(url?.origin + (url?.pathname ?? ''), location).toBe(RU);
  return url!.searchParams;
}

describe('id_token_hint reconnect', () => {
  it.each([
    ['missing', null],
    ['empty', ''],
  ])('with %s scope, for the signed-in user: no sign-in, no consent, straight back with a code that redeems', async (_label, scope) => {
    const alice = await connect(ALICE);
    const p = await pkce();
    const page = await alice.browser.follow(reconnectUrl(alice, p, alice.idToken, { scope }));
    expect(page.status).toBe(303);
    const code = redirectParams(page.location).get('code');
    expect(code).toBeTruthy();
    const tokens = await token(server.issuer, { grant_type: 'authorization_code', code: code!, redirect_uri: RU, code_verifier: p.verifier, client_id: alice.clientId });
    expect(tokens.status).toBe(200);
    expect(decodeJwt(tokens.body.access_token as string)).toMatchObject({ sub: aliceId, aud: RESOURCE });
    expect(decodeJwt(tokens.body.id_token as string).sub).toBe(aliceId);
    // The same scopes as the first connect (the client's defaults).
    expect(tokens.body.scope).toBe(alice.scope);
  });

  it('with prompt=none and a matching hint: a code without any page', async () => {
    const alice = await connect(ALICE);
    const page = await alice.browser.follow(reconnectUrl(alice, await pkce(), alice.idToken, { prompt: 'none' }));
    expect(redirectParams(page.location).get('code')).toBeTruthy();
  });

  it('in a browser with no session: the sign-in page, then straight back (consent remembered)', async () => {
    const alice = await connect(ALICE);
    const fresh = new TestBrowser(server.issuer);
    const first = await fresh.follow(reconnectUrl(alice, await pkce(), alice.idToken));
    const login = formActions(first.body).find((action) => action.endsWith('/login'));
    expect(login).toBeDefined();
    // One form post: the sign-in leads straight back to the client, no consent page between.
    const done = await fresh.follow(login!, { form: { csrf: csrfFrom(first.body), email: ALICE.email, password: ALICE.password } });
    expect(redirectParams(done.location).get('code')).toBeTruthy();
  });

  it("another user's hint while Alice is signed in: the sign-in page, never a code for Alice", async () => {
    const bob = await connect(BOB);
    expect(decodeJwt(bob.idToken).sub).toBe(bobId);
    const alice = await connect(ALICE, bob.clientId);
    const page = await alice.browser.follow(reconnectUrl(alice, await pkce(), bob.idToken));
    expect(page.status).toBe(200);
    expect(formActions(page.body).some((action) => action.endsWith('/login'))).toBe(true);
    expect(page.location).toBeUndefined();
    // Signing in as Bob on that page is oidc-provider's account switch, the same as prompt=login:
    // account-switch.test.ts shows it completing for Bob with Alice's grants intact.
  });

  it("another user's hint with prompt=none: login_required back to the client", async () => {
    const bob = await connect(BOB);
    const alice = await connect(ALICE, bob.clientId);
    const page = await alice.browser.follow(reconnectUrl(alice, await pkce(), bob.idToken, { prompt: 'none', state: 'st' }));
    const params = redirectParams(page.location);
    expect(params.get('error')).toBe('login_required');
    expect(params.get('state')).toBe('st');
    expect(params.get('code')).toBeNull();
  });

  it.each([
    ['not a JWT', 'not-a-jwt'],
    ['a JWT-shaped string', 'eyJhbGciOiJSUzI1NiJ9.eyJzdWIiOiJ4In0.c2ln'],
    ['garbage with separators', '...'],
  ])('a malformed hint (%s) with no scope: invalid_request to the client, never a 500', async (_label, hint) => {
    const alice = await connect(ALICE);
    const page = await alice.browser.follow(reconnectUrl(alice, await pkce(), hint));
    const params = redirectParams(page.location);
    expect(params.get('error')).toBe('invalid_request');
    expect(params.get('error_description')).toBe('could not validate id_token_hint');
  });

  it("a hint issued to another client: invalid_request (the hint's audience is checked)", async () => {
    const alice = await connect(ALICE);
    const other = await connect(ALICE);
    const page = await alice.browser.follow(reconnectUrl(alice, await pkce(), other.idToken));
    expect(redirectParams(page.location).get('error')).toBe('invalid_request');
  });

  it('a hint with an explicit scope that lacks openid is still refused (OIDC Core: id_token_hint is an OpenID parameter)', async () => {
    const alice = await connect(ALICE);
    const page = await alice.browser.follow(reconnectUrl(alice, await pkce(), alice.idToken, { scope: 'files:read' }));
    expect(redirectParams(page.location).get('error')).toBe('invalid_request');
  });

  it('a hint for a client registered without openid: invalid_scope, not a 500', async () => {
    const alice = await connect(ALICE);
    const registered = await fetch(`${server.issuer}/register`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ redirect_uris: [RU], token_endpoint_auth_method: 'none', grant_types: ['authorization_code'], scope: 'files:read' }),
    });
    const { client_id: clientId } = (await registered.json()) as { client_id: string };
    const page = await alice.browser.follow(reconnectUrl({ clientId }, await pkce(), alice.idToken));
    expect(page.status).toBeLessThan(500);
    expect(redirectParams(page.location).get('error')).toMatch(/^invalid_(scope|request)$/);
  });
});
