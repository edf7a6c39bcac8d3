import { normaliseEmail } from '@omnichat/db';
import { decodeJwt } from 'jose';
import { describe, expect, it, vi } from 'vitest';

import { TestBrowser, csrfFrom, RU, authz, pkce, publicClient, token } from '@omnichat/testkit';
import { createUser, startAuthServer } from '../helpers/auth-server.js';
import { authSuite } from './helpers/suite.js';

// docs/security.md, cases of sign-in, consent, session, cookies and page headers (AS-54..62). AS-53
// (brute force over two instances) is in replicas.test.ts.
const RESOURCE = 'http://127.0.0.1:3992/mcp';
const USER = { email: 'session@example.com', password: 'a long and unguessable password' };

const suite = authSuite(RESOURCE, USER);

/** A browser standing on the sign-in page of a fresh authorization request. */
async function atSignIn(scope = 'files:read', clientId?: string) {
  const client = clientId ?? (await publicClient(suite.base));
  const browser = new TestBrowser(suite.base);
  const p = await pkce();
  const page = await browser.follow(authz(suite.base, client, p, RESOURCE, { scope }));
  const uid = /interaction\/([^/"]+)\/login/.exec(page.body)?.[1];
  if (!uid) throw new Error(`no sign-in page: ${page.status}`);
  return { browser, page, uid, clientId: client, p };
}

const signIn = (at: Awaited<ReturnType<typeof atSignIn>>, email: string, password: string, headers: Record<string, string> = {}) =>
  at.browser.request(`/interaction/${at.uid}/login`, { form: { csrf: csrfFrom(at.page.body), email, password }, headers });

/** Signs in and returns the consent page (uid and CSRF token from it). */
async function atConsent(scope = 'files:read') {
  const at = await atSignIn(scope);
  const consent = await at.browser.follow(`/interaction/${at.uid}/login`, { form: { csrf: csrfFrom(at.page.body), email: USER.email, password: USER.password } });
  const uid = /interaction\/([^/"]+)\/confirm/.exec(consent.body)?.[1];
  if (!uid) throw new Error(`no consent page: ${consent.status}`);
  return { ...at, consent, consentUid: uid };
}

const median = (values: number[]) => [...values].sort((a, b) => a - b)[Math.floor(values.length / 2)] as number;

describe('A.9 sign-in', () => {
  it('AS-54 an unknown user and a wrong password: same status and message, and the same argon2 cost', async () => {
    const at = await atSignIn();
    const timed = async (email: string, password: string) => {
      const started = performance.now();
      const result = await signIn(at, email, password);
      return { result, ms: performance.now() - started };
    };
    const unknown: number[] = [];
    const wrong: number[] = [];
    for (let i = 0; i < 6; i += 1) {
      const a = await timed(`nobody${i}@example.com`, 'wrong password');
      const b = await timed(USER.email, `wrong password ${i}`);
      for (const { result } of [a, b]) {
        expect(result.status).toBe(401);
        expect(/role="alert">([^<]*)</.exec(result.body)?.[1]).toBe('That email and password do not match an account.');
      }
      unknown.push(a.ms);
      wrong.push(b.ms);
    }
    // Without the dummy verify an unknown email answers in ~1 ms and a wrong password after a full
    // argon2id verify (tens of ms): a ratio, not a difference in ms, so a loaded machine (which slows
    // both alike) cannot fail it while a skipped hash (a ratio near 0.05) always does.
    const ratio = median(unknown) / median(wrong);
    expect(ratio).toBeGreaterThan(0.5);
    expect(ratio).toBeLessThan(2);
  });

  it('AS-55 passwords are argon2id with at least the OWASP minimum; 64-character and Unicode passwords work, with no truncation or case folding', async () => {
    const long = 'x'.repeat(63) + 'Y';
    const unicode = 'pässwörd 🔑 ДЛИННЫЙ пароль 密码';
    for (const [email, password, variants] of [
      ['long@example.com', long, ['x'.repeat(63), 'x'.repeat(63) + 'y', `${long}z`]],
      ['unicode@example.com', unicode, [unicode.toLowerCase(), unicode.normalize('NFD') === unicode ? `${unicode} ` : unicode.normalize('NFD'), unicode.slice(0, -1)]],
    ] as const) {
      await createUser(suite.db.prisma, email, password);
      const row = await suite.db.prisma.user.findUniqueOrThrow({ where: { email: normaliseEmail(email) } });
      const params = /^\$argon2id\$v=19\$m=(\d+),t=(\d+),p=(\d+)\$/.exec(row.passwordHash ?? '');
      expect(params).not.toBeNull();
      expect(Number(params?.[1])).toBeGreaterThanOrEqual(19456);
      expect(Number(params?.[2])).toBeGreaterThanOrEqual(2);
      for (const variant of variants) expect((await signIn(await atSignIn(), email, variant)).status).toBe(401);
      const ok = await signIn(await atSignIn(), email, password);
      expect(ok.status).toBe(303);
    }
  });

  it('AS-56 login CSRF: no token, a token of another interaction, a cross-site or same-site sibling Origin are all refused', async () => {
    const at = await atSignIn();
    const other = await atSignIn();
    const form = { email: USER.email, password: USER.password };
    const attempts = [
      await at.browser.request(`/interaction/${at.uid}/login`, { form }),
      await at.browser.request(`/interaction/${at.uid}/login`, { form: { ...form, csrf: csrfFrom(other.page.body) } }),
      await signIn(at, USER.email, USER.password, { origin: 'https://attacker.example' }),
      // Same site, another origin (a sibling host or port): SameSite=Lax alone would let it through.
      await signIn(at, USER.email, USER.password, { origin: 'http://127.0.0.1:1' }),
      await signIn(at, USER.email, USER.password, { origin: 'null' }),
    ];
    for (const attempt of attempts) {
      expect(attempt.status).toBe(400);
      expect(attempt.location).toBeUndefined();
      expect(attempt.body).toContain('invalid_request');
    }
    // Nothing above signed anyone in: the page still asks for a sign-in.
    expect((await at.browser.request(`/interaction/${at.uid}`)).body).toContain(`/interaction/${at.uid}/login`);
  });
});

describe('A.9 consent and interaction binding', () => {
  it('AS-57 forged consent fields (scope, accountId, client_id) are ignored: the grant is what was shown', async () => {
    const other = await createUser(suite.db.prisma, 'bob-forged@example.com', 'another long password here');
    const otherClient = await publicClient(suite.base);
    const at = await atConsent('files:read');
    const done = await at.browser.follow(`/interaction/${at.consentUid}/confirm`, {
      form: { csrf: csrfFrom(at.consent.body), scope: 'files:read files:write ssh:execute', accountId: other, client_id: otherClient, rejectedScopes: '', grantId: 'x' },
    });
    const code = new URL(done.location as string).searchParams.get('code') as string;
    const tokens = await token(suite.base, { grant_type: 'authorization_code', code, redirect_uri: RU, code_verifier: at.p.verifier, client_id: at.clientId });
    const claims = decodeJwt(tokens.body.access_token as string);
    expect(claims.scope).toBe('files:read');
    expect(claims.client_id).toBe(at.clientId);
    const user = await suite.db.prisma.user.findUniqueOrThrow({ where: { email: normaliseEmail(USER.email) } });
    expect(claims.sub).toBe(user.id);
  });

  it('AS-58 an interaction opened in another browser, and a resume with another browser\'s cookies, are refused', async () => {
    const attacker = await atSignIn();
    const victim = await atSignIn();
    const hijack = await victim.browser.request(`/interaction/${attacker.uid}`);
    expect(hijack.status).toBe(400);
    expect(hijack.body).not.toContain(`/interaction/${attacker.uid}/login`);
    const post = await victim.browser.request(`/interaction/${attacker.uid}/login`, { form: { csrf: csrfFrom(attacker.page.body), email: USER.email, password: USER.password } });
    expect(post.status).toBe(400);

    const resumeWithOtherCookies = await victim.browser.request(`/auth/${attacker.uid}`);
    expect(resumeWithOtherCookies.status).toBe(400);
    expect(resumeWithOtherCookies.location).toBeUndefined();
    expect(resumeWithOtherCookies.body).toMatch(/invalid_request|session/i);
  });

  it('AS-59 session fixation: a planted _session is never the signed-in session', async () => {
    const at = await atSignIn();
    const jar = at.browser as unknown as { store(lines: string[]): void; cookies: Array<{ name: string; value: string }> };
    jar.store(['_session=attacker123; path=/', '_session.sig=forged; path=/']);
    const done = await at.browser.follow(`/interaction/${at.uid}/login`, { form: { csrf: csrfFrom(at.page.body), email: USER.email, password: USER.password } });
    expect(done.status).toBeLessThan(500);
    const session = jar.cookies.find((cookie) => cookie.name === '_session');
    expect(session?.value).toBeDefined();
    expect(session?.value).not.toBe('attacker123');
    expect(await suite.db.prisma.oidcPayload.findUnique({ where: { model_id: { model: 'Session', id: 'attacker123' } } })).toBeNull();
  });
});

describe('A.9 cookies, headers and development features', () => {
  const setCookies = (headers: Headers) => headers.getSetCookie();

  it('AS-60 every provider cookie is HttpOnly and SameSite=Lax with a .sig companion; Secure on an https issuer', async () => {
    const at = await atSignIn();
    const started = await fetch(authz(suite.base, at.clientId, await pkce(), RESOURCE), { redirect: 'manual' });
    const login = await at.browser.request(`/interaction/${at.uid}/login`, { form: { csrf: csrfFrom(at.page.body), email: USER.email, password: USER.password } });
    const resume = await at.browser.request(login.location as string);
    const cookies = [...setCookies(started.headers), ...setCookies(login.headers), ...setCookies(resume.headers)];
    expect(cookies.length).toBeGreaterThan(0);
    for (const line of cookies) {
      expect(line.toLowerCase()).toContain('httponly');
      expect(line.toLowerCase()).toContain('samesite=lax');
    }
    const names = cookies.map((line) => line.split('=')[0] as string);
    for (const name of names.filter((n) => !n.endsWith('.sig'))) expect(names).toContain(`${name}.sig`);

    const https = await startAuthServer({ prisma: suite.db.prisma, resourceUrl: RESOURCE, env: { ISSUER: 'https://auth.example.test' } });
    try {
      const direct = `http://127.0.0.1:${https.config.port}`;
      const response = await fetch(authz(direct, at.clientId, await pkce(), RESOURCE), { redirect: 'manual' });
      expect(response.status).toBe(303);
      const secureCookies = setCookies(response.headers);
      expect(secureCookies.length).toBeGreaterThan(0);
      for (const line of secureCookies) expect(line.toLowerCase()).toContain('; secure');
      expect(response.headers.get('strict-transport-security')).toMatch(/max-age=(\d{8,})/);
      expect(Number(/max-age=(\d+)/.exec(response.headers.get('strict-transport-security') ?? '')?.[1])).toBeGreaterThanOrEqual(31536000);
    } finally {
      await https.close();
    }
  });

  it('AS-61 sign-in, consent, error and logout pages cannot be framed, sniffed or cached, and send no cross-origin referrer', async () => {
    const at = await atConsent();
    const pages = [
      ['sign-in', at.page.headers],
      ['consent', at.consent.headers],
      ['error', (await fetch(`${suite.base}/auth?client_id=nope`, { redirect: 'manual' })).headers],
      ['logout', (await fetch(`${suite.base}/session/end`)).headers],
      ['interaction error', (await fetch(`${suite.base}/interaction/unknown`)).headers],
    ] as const;
    for (const [name, headers] of pages) {
      expect(headers.get('x-frame-options'), name).toBe('DENY');
      expect(headers.get('content-security-policy'), name).toContain("frame-ancestors 'none'");
      expect(headers.get('x-content-type-options'), name).toBe('nosniff');
      // same-origin, not no-referrer: our form posts need a real Origin header (AS-56); nothing
      // leaks to another origin either way.
      expect(['no-referrer', 'same-origin'], name).toContain(headers.get('referrer-policy'));
      expect(headers.get('cache-control'), name).toContain('no-store');
    }
  });

  it('AS-62 no development feature is on: our sign-in page, not the dev view, and none of oidc-provider\'s development-only warnings at boot', async () => {
    const warn = vi.spyOn(console, 'warn');
    const info = vi.spyOn(console, 'info');
    try {
      const fresh = await startAuthServer({ prisma: suite.db.prisma, resourceUrl: RESOURCE });
      await fresh.close();
      const said = [...warn.mock.calls, ...info.mock.calls].map((call) => call.map(String).join(' '));
      expect(said.filter((line) => /development-only|quick start|devInteractions|MUST change/i.test(line))).toEqual([]);
    } finally {
      warn.mockRestore();
      info.mockRestore();
    }
    const at = await atSignIn();
    expect(at.page.body).toContain('name="csrf"');
    expect(at.page.body).toContain('name="password"');
    // The dev view's form fields and its "any password" hint.
    expect(at.page.body).not.toMatch(/name="login"|any password|devInteractions/);
    expect((await signIn(at, USER.email, 'not the password')).status).toBe(401);
  });
});
