// A signed-in session alone cannot take a second factor away: removing the authenticator app,
// replacing the recovery codes and removing the last passkey need a fresh code or the current
// password. Real server, real Postgres, plain HTTP.
import { createTestDatabase, type TestDatabase } from '@omnichat/db/testing';
import { Secret, TOTP } from 'otpauth';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';

import { issueRecoveryCodes } from '../src/mfa/recovery-codes.js';
import { beginTotpSetup, verifyTotp } from '../src/mfa/totp.js';
import { TestBrowser, csrfFrom } from '@omnichat/testkit';
import { createUser, startAuthServer, TEST_KEY_ENCRYPTION_SECRET, type RunningAuthServer } from './helpers/auth-server.js';

const PASSWORD = 'the right password for step-up';
const TOTP_USER = 'step-up-totp@example.com';
const PASSKEY_USER = 'step-up-passkey@example.com';
const GUESSER = 'step-up-guesser@example.com';

let db: TestDatabase;
let server: RunningAuthServer;
let totpUserId = '';
let secret = '';
const codeFor = (steps: number) => TOTP.generate({ secret: Secret.fromBase32(secret), timestamp: Date.now() + steps * 30_000 });

const addPasskey = (userId: string, name: string) =>
  db.prisma.passkey.create({ data: { userId, credentialId: `cred-${name}-${userId}`, publicKey: Buffer.from([1, 2, 3]), counter: 0n, transports: ['internal'], name } });

/** Signs in on /account with the password (and `code` when asked); returns the browser and its CSRF token. */
async function signedIn(email: string, code?: string) {
  const browser = new TestBrowser(server.issuer);
  const csrf = csrfFrom((await browser.request('/account')).body);
  const after = await browser.request('/account/login', { form: { csrf, email, password: PASSWORD } });
  if (code) expect((await browser.request('/account/mfa', { form: { csrf, code } })).location).toBe(`${server.issuer}/account`);
  else expect(after.location).toBe(`${server.issuer}/account`);
  expect((await browser.request('/account')).body).toContain('Your account');
  return { browser, csrf };
}

beforeAll(async () => {
  db = await createTestDatabase();
  // Four wrong proofs per account, then a hold.
  server = await startAuthServer({ prisma: db.prisma, env: { MFA_REQUIRED: 'off', LIMIT_LOGIN_PER_ACCOUNT: '4/900' } });
  totpUserId = await createUser(db.prisma, TOTP_USER, PASSWORD);
  secret = (await beginTotpSetup(db.prisma, TEST_KEY_ENCRYPTION_SECRET, { id: totpUserId, email: TOTP_USER }, 'OmniChat')).secretBase32;
  expect(await verifyTotp(db.prisma, TEST_KEY_ENCRYPTION_SECRET, totpUserId, codeFor(-1), { pending: true })).toBe('ok');
  await issueRecoveryCodes(db.prisma, totpUserId);
});

afterAll(async () => {
  await server?.close();
  await db?.drop();
});

describe('changes to second factors need a fresh code or the password', () => {
  it('new recovery codes and removing the authenticator app: asked, refused without a right proof, done with one', async () => {
    // Kept, not recomputed: a 30 s step may end before the replay below, and codeFor(0) would then
    // be the next step's code, a fresh one.
    const signInCode = codeFor(0);
    const { browser, csrf } = await signedIn(TOTP_USER, signInCode);
    const hashes = async () => (await db.prisma.recoveryCode.findMany({ where: { userId: totpUserId } })).map((row) => row.codeHash).sort();
    const before = await hashes();

    // The session alone: a page asking for the proof, nothing changed.
    const asked = await browser.request('/account/recovery-codes', { form: { csrf } });
    expect(asked.status).toBe(200);
    expect(asked.body).toContain('Confirm it is you');
    expect(asked.body).toContain('6-digit code from your authenticator app');
    expect(asked.body).toContain('Current password');
    expect(await hashes()).toEqual(before);
    const empty = await browser.request('/account/recovery-codes', { form: { csrf, code: '', password: '' } });
    expect(empty.status).toBe(400);
    expect(await hashes()).toEqual(before);
    const replaced = await browser.request('/account/recovery-codes', { form: { csrf, code: '', password: PASSWORD } });
    expect(replaced.status).toBe(200);
    expect(replaced.body).toContain('Save your recovery codes');
    // Only the codes changed: the page says so, not that an authenticator app was just set up.
    expect(replaced.body).toContain('New recovery codes are ready. The old ones no longer work.');
    expect(replaced.body).not.toContain('The authenticator app is set up.');
    expect(await hashes()).not.toEqual(before);

    const factor = () => db.prisma.totpFactor.count({ where: { userId: totpUserId } });
    const removeWith = (fields: Record<string, string>) => browser.request('/account/totp/remove', { form: { csrf, ...fields } });
    expect((await removeWith({})).body).toContain('Confirm it is you');
    const wrongCode = await removeWith({ code: [signInCode, codeFor(0), codeFor(1)].includes('123456') ? '654321' : '123456', password: '' });
    expect(wrongCode.status).toBe(401);
    expect(wrongCode.body).toContain('That code is not right');
    // The code the session signed in with is no fresh code: a replay.
    const replayed = await removeWith({ code: signInCode, password: '' });
    expect(replayed.status).toBe(401);
    expect(replayed.body).toContain('That code was already used');
    const wrongPassword = await removeWith({ code: '', password: 'not the password' });
    expect(wrongPassword.status).toBe(401);
    expect(wrongPassword.body).toContain('That password is not right');
    expect(await factor()).toBe(1);

    const removed = await removeWith({ code: codeFor(1), password: '' });
    expect(removed.status).toBe(303);
    expect(removed.location).toBe(`${server.issuer}/account?done=totp_removed`);
    expect(await factor()).toBe(0);
    expect(await db.prisma.recoveryCode.count({ where: { userId: totpUserId } })).toBe(0);
  });

  it('removing the last passkey needs the password (another passkey left: no question asked)', async () => {
    const userId = await createUser(db.prisma, PASSKEY_USER, PASSWORD);
    // Signed in with the password first (passkeys added since: the session is the attacker's too).
    const { browser, csrf } = await signedIn(PASSKEY_USER);
    const first = await addPasskey(userId, 'Phone');
    const second = await addPasskey(userId, 'Laptop');

    const one = await browser.request('/account/passkeys/remove', { form: { csrf, id: first.id } });
    expect(one.location).toBe(`${server.issuer}/account?done=passkey_removed`);

    const asked = await browser.request('/account/passkeys/remove', { form: { csrf, id: second.id } });
    expect(asked.status).toBe(200);
    expect(asked.body).toContain('remove your last passkey, Laptop');
    // No authenticator app: only the password is offered.
    expect(asked.body).not.toContain('6-digit code');
    expect(asked.body).toContain(`name="id" value="${second.id}"`);
    expect((await browser.request('/account/passkeys/remove', { form: { csrf, id: second.id, code: '', password: 'wrong' } })).status).toBe(401);
    expect(await db.prisma.passkey.count({ where: { userId } })).toBe(1);
    const removed = await browser.request('/account/passkeys/remove', { form: { csrf, id: second.id, code: '', password: PASSWORD } });
    expect(removed.location).toBe(`${server.issuer}/account?done=passkey_removed`);
    expect(await db.prisma.passkey.count({ where: { userId } })).toBe(0);
  });

  it('guessing the proof is throttled like a sign-in', async () => {
    const userId = await createUser(db.prisma, GUESSER, PASSWORD);
    const { browser, csrf } = await signedIn(GUESSER);
    const only = await addPasskey(userId, 'Key');
    for (let attempt = 0; attempt < 4; attempt += 1) {
      expect((await browser.request('/account/passkeys/remove', { form: { csrf, id: only.id, code: '', password: `guess ${attempt}` } })).status).toBe(401);
    }
    const held = await browser.request('/account/passkeys/remove', { form: { csrf, id: only.id, code: '', password: PASSWORD } });
    expect(held.status).toBe(429);
    expect(Number(held.headers.get('retry-after'))).toBeGreaterThan(0);
    expect(held.body).toContain('Too many sign-in attempts');
    expect(await db.prisma.passkey.count({ where: { userId } })).toBe(1);
  });
});
