// Signing in as another account in a browser where someone is signed in (`prompt=login`, an
// `id_token_hint` for the other account, or the account page's sign-in) changes whose session it
// is. It is not a disconnect: the first account's grants and refresh tokens survive, and the new
// sign-in completes its own authorization request (docs/security.md, "Account switch").
import { createTestDatabase } from '@omnichat/db/testing';
import { decodeJwt } from 'jose';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';

import { createUser, startAuthServer, type RunningAuthServer } from './helpers/auth-server.js';
import { TestBrowser, csrfFrom, formActions, type PageResult, authorizeInBrowser, RU, authz, pkce, publicClient, token, type Json } from '@omnichat/testkit';

const RESOURCE = 'http://127.0.0.1:3994/mcp';
const ALICE = { email: 'alice.switch@example.com', password: 'correct horse battery staple' };
const BOB = { email: 'bob.switch@example.com', password: 'another long enough password' };

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

type User = { email: string; password: string };

/** Connects `clientId` for `user` in `browser` (signing in there if needed); the token response. */
async function connect(user: User, clientId: string, browser = new TestBrowser(server.issuer)): Promise<Json> {
  const p = await pkce();
  // No scope: the client's defaults, openid included, so an id_token comes back (AS-38).
  const result = await authorizeInBrowser(browser, authz(server.issuer, clientId, p, RESOURCE, { scope: null }), user);
  const code = URL.parse(result.location ?? '')?.searchParams.get('code');
  expect(code, result.location ?? result.body.slice(0, 300)).toBeTruthy();
  const tokens = await token(server.issuer, { grant_type: 'authorization_code', code: code!, redirect_uri: RU, code_verifier: p.verifier, client_id: clientId });
  expect(tokens.status).toBe(200);
  return tokens.body;
}

/** The refresh token still refreshes, for its own account. */
async function expectRefreshes(tokens: Json, clientId: string, accountId: string) {
  const refreshed = await token(server.issuer, { grant_type: 'refresh_token', refresh_token: tokens.refresh_token as string, client_id: clientId });
  expect(refreshed.status, JSON.stringify(refreshed.body)).toBe(200);
  expect(decodeJwt(refreshed.body.access_token as string).sub).toBe(accountId);
}

async function grantsOf(accountId: string, clientId: string) {
  return db.prisma.oidcPayload.count({ where: { model: 'Grant', AND: [{ payload: { path: ['accountId'], equals: accountId } }, { payload: { path: ['clientId'], equals: clientId } }] } });
}

/** Bob signs in on the page `start` leads to; returns where the flow ends (redirect or page). */
async function bobSignsIn(browser: TestBrowser, start: string): Promise<PageResult> {
  const page = await browser.follow(start);
  const login = formActions(page.body).find((action) => action.endsWith('/login'));
  expect(login, `no sign-in page: ${page.status} ${page.body.slice(0, 300)}`).toBeDefined();
  return browser.follow(login!, { form: { csrf: csrfFrom(page.body), email: BOB.email, password: BOB.password } });
}

/** Redeems the code the flow ended with; the tokens. */
async function redeem(done: PageResult, clientId: string, verifier: string): Promise<Json> {
  const code = URL.parse(done.location ?? '')?.searchParams.get('code');
  expect(code, done.location ?? `${done.status} ${done.body.slice(0, 400)}`).toBeTruthy();
  const tokens = await token(server.issuer, { grant_type: 'authorization_code', code: code!, redirect_uri: RU, code_verifier: verifier, client_id: clientId });
  expect(tokens.status).toBe(200);
  return tokens.body;
}

type SessionPayload = { accountId?: string; authorizations?: Record<string, { grantId?: string }> };

/** The Session row behind this browser's session cookie. */
async function sessionOf(browser: TestBrowser) {
  const id = (browser as unknown as { cookies: Array<{ name: string; value: string }> }).cookies.find((cookie) => cookie.name === '_session')?.value;
  const row = await db.prisma.oidcPayload.findUniqueOrThrow({ where: { model_id: { model: 'Session', id: id ?? '' } } });
  return { row, ...(row.payload as SessionPayload) };
}

async function signedInEmail(browser: TestBrowser): Promise<string | undefined> {
  return /Signed in as <strong>([^<]+)</.exec((await browser.request('/account')).body)?.[1];
}

describe('another account signs in where Alice is signed in: her grants survive, his flow completes', () => {
  it('prompt=login after Alice connected the client here: Bob is asked his own consent, gets sub=Bob; Alice still refreshes', async () => {
    const clientId = await publicClient(server.issuer);
    const browser = new TestBrowser(server.issuer);
    const alice = await connect(ALICE, clientId, browser);

    const p = await pkce();
    const afterSignIn = await bobSignsIn(browser, authz(server.issuer, clientId, p, RESOURCE, { scope: null, prompt: 'login' }));
    // Bob never granted this client: the consent page, for Bob.
    expect(afterSignIn.status).toBe(200);
    expect(afterSignIn.body).toContain(`Signed in as <strong>${BOB.email}</strong>`);
    const confirm = formActions(afterSignIn.body).find((action) => action.endsWith('/confirm'));
    const done = await browser.follow(confirm!, { form: { csrf: csrfFrom(afterSignIn.body) } });
    const bob = await redeem(done, clientId, p.verifier);
    expect(decodeJwt(bob.access_token as string).sub).toBe(bobId);
    expect(decodeJwt(bob.id_token as string).sub).toBe(bobId);

    await expectRefreshes(alice, clientId, aliceId);
    expect(await grantsOf(aliceId, clientId)).toBe(1);
    expect(await signedInEmail(browser)).toBe(BOB.email);
  });

  it.each([
    ['prompt=login', (_bob: Json) => ({ prompt: 'login' })],
    ["an id_token_hint for Bob", (bob: Json) => ({ id_token_hint: bob.id_token as string })],
  ])("%s when Alice's grant for the client comes from another browser: Bob goes straight back (consent remembered); Alice's grants on both clients survive", async (_label, extra) => {
    const chatgpt = await publicClient(server.issuer);
    const other = await publicClient(server.issuer);
    const aliceElsewhere = await connect(ALICE, chatgpt);
    const bobElsewhere = await connect(BOB, chatgpt);
    // Alice is signed in here through another client; her ChatGPT grant is found by account.
    const browser = new TestBrowser(server.issuer);
    const aliceHere = await connect(ALICE, other, browser);

    const p = await pkce();
    const done = await bobSignsIn(browser, authz(server.issuer, chatgpt, p, RESOURCE, { scope: null, ...extra(bobElsewhere) }));
    const bob = await redeem(done, chatgpt, p.verifier);
    expect(decodeJwt(bob.access_token as string).sub).toBe(bobId);

    await expectRefreshes(aliceElsewhere, chatgpt, aliceId);
    await expectRefreshes(aliceHere, other, aliceId);
    expect(await grantsOf(aliceId, chatgpt)).toBe(1);
    expect(await grantsOf(aliceId, other)).toBe(1);
    expect(await signedInEmail(browser)).toBe(BOB.email);
  });

  it("signing out through oidc-provider's logout endpoint keeps the grants the session had seen", async () => {
    const chatgpt = await publicClient(server.issuer);
    const other = await publicClient(server.issuer);
    const aliceElsewhere = await connect(ALICE, chatgpt);
    const browser = new TestBrowser(server.issuer);
    await connect(ALICE, other, browser);
    // A re-authentication for ChatGPT, left on the sign-in page: her grant is now in this session.
    expect(formActions((await browser.follow(authz(server.issuer, chatgpt, await pkce(), RESOURCE, { prompt: 'login' }))).body)).toContainEqual(expect.stringMatching(/\/login$/));

    const logout = await browser.request('/session/end');
    const xsrf = /name="xsrf" value="([^"]+)"/.exec(logout.body)?.[1];
    expect(xsrf).toBeDefined();
    const confirmed = await browser.request('/session/end/confirm', { form: { xsrf: xsrf!, logout: 'yes' } });
    expect(confirmed.status).toBe(303);
    expect(await signedInEmail(browser)).toBeUndefined();
    await expectRefreshes(aliceElsewhere, chatgpt, aliceId);
  });
  it('a session stored before authorizations were marked is marked on its next request: prompt=login as Bob for a new client keeps Alice connected', async () => {
    const other = await publicClient(server.issuer);
    const browser = new TestBrowser(server.issuer);
    const alice = await connect(ALICE, other, browser);
    const { row, authorizations } = await sessionOf(browser);
    const unmarked = Object.fromEntries(Object.entries(authorizations ?? {}).map(([id, { grantId }]) => [id, { sid: 'legacy', grantId }]));
    expect(unmarked[other]?.grantId).toBeTruthy();
    await db.prisma.oidcPayload.update({ where: { model_id: { model: 'Session', id: row.id } }, data: { payload: { ...(row.payload as object), authorizations: unmarked } } });

    const fresh = await publicClient(server.issuer);
    const afterSignIn = await bobSignsIn(browser, authz(server.issuer, fresh, await pkce(), RESOURCE, { prompt: 'login' }));
    expect(afterSignIn.body).toContain(`Signed in as <strong>${BOB.email}</strong>`);
    await expectRefreshes(alice, other, aliceId);
  });
});

describe('the account page sign-in when another account is signed in', () => {
  it("ends Alice's session without revoking anything; Bob's session carries nothing of hers", async () => {
    const clientId = await publicClient(server.issuer);
    const browser = new TestBrowser(server.issuer);
    // A sign-in form left open in one tab while Alice signs in (and connects) in another.
    const form = await browser.request('/account');
    expect(formActions(form.body)).toContain('/account/login');
    const alice = await connect(ALICE, clientId, browser);
    const aliceSessions = () => db.prisma.oidcPayload.count({ where: { model: 'Session', payload: { path: ['accountId'], equals: aliceId } } });
    const before = await aliceSessions();

    const signedIn = await browser.request('/account/login', { form: { csrf: csrfFrom(form.body), email: BOB.email, password: BOB.password }, headers: { origin: server.issuer } });
    expect(signedIn.status).toBe(303);
    expect(await signedInEmail(browser)).toBe(BOB.email);
    // Her session in this browser is gone (the other tests' browsers keep theirs), and Bob's new
    // one holds none of her client authorizations.
    expect(await aliceSessions()).toBe(before - 1);
    const bobSession = await sessionOf(browser);
    expect(bobSession.accountId).toBe(bobId);
    expect(bobSession.authorizations?.[clientId]).toBeUndefined();
    await expectRefreshes(alice, clientId, aliceId);

    // Bob authorizing the same client is asked his own consent (it used to be a 500: the session
    // still named Alice's grant for it).
    const p = await pkce();
    const consent = await browser.follow(authz(server.issuer, clientId, p, RESOURCE));
    expect(consent.status).toBe(200);
    expect(consent.body).toContain(`Signed in as <strong>${BOB.email}</strong>`);
    const done = await browser.follow(formActions(consent.body).find((action) => action.endsWith('/confirm'))!, { form: { csrf: csrfFrom(consent.body) } });
    expect(decodeJwt((await redeem(done, clientId, p.verifier)).access_token as string).sub).toBe(bobId);
    expect(await grantsOf(aliceId, clientId)).toBe(1);
  });

  it("a session naming another account's grant for the client (as this sign-in left them before) gets Bob his own consent, not a 500", async () => {
    const clientId = await publicClient(server.issuer);
    await connect(ALICE, clientId);
    const aliceGrant = await db.prisma.oidcPayload.findFirstOrThrow({ where: { model: 'Grant', payload: { path: ['clientId'], equals: clientId } } });
    const browser = new TestBrowser(server.issuer);
    const form = await browser.request('/account');
    await browser.request('/account/login', { form: { csrf: csrfFrom(form.body), email: BOB.email, password: BOB.password }, headers: { origin: server.issuer } });
    const { row } = await sessionOf(browser);
    const planted = { ...(row.payload as object), authorizations: { [clientId]: { sid: 'planted', grantId: aliceGrant.id } } };
    await db.prisma.oidcPayload.update({ where: { model_id: { model: 'Session', id: row.id } }, data: { payload: planted } });

    const consent = await browser.follow(authz(server.issuer, clientId, await pkce(), RESOURCE));
    expect(consent.status).toBe(200);
    expect(consent.body).toContain(`Signed in as <strong>${BOB.email}</strong>`);
    expect(formActions(consent.body).some((action) => action.endsWith('/confirm'))).toBe(true);
  });
});
