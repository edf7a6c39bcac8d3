import { openClientSecret } from '@omnichat/sso';
import { startUpstreamIdp, type UpstreamIdp } from '@omnichat/sso/testing';
import { createTestDatabase, type TestDatabase } from '@omnichat/db/testing';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';

import { admin } from './helpers/run.js';

const KEY_SECRET = 'admin-test-key-encryption-secret-0123456789';
const ISSUER = 'https://auth.example.com';
const ENV = { KEY_ENCRYPTION_SECRET: KEY_SECRET, ISSUER };
const CLIENT_SECRET = 'upstream-client-secret-do-not-print-0123';

let db: TestDatabase;
let idp: UpstreamIdp;

beforeAll(async () => {
  db = await createTestDatabase();
  idp = await startUpstreamIdp({ redirectUris: [`${ISSUER}/sso/corp/callback`], clientSecret: CLIENT_SECRET });
});
afterAll(async () => {
  await idp?.close();
  await db?.drop();
});
beforeEach(async () => {
  await db.prisma.identityProvider.deleteMany();
  await db.prisma.user.deleteMany();
});

const add = (extra: string[] = [], options: { stdin?: string; env?: Record<string, string> } = {}) =>
  admin(db.prisma, ['idp:add', '--name', 'corp', '--issuer', idp.issuer, '--client-id', idp.clientId, '--client-secret-stdin', ...extra], {
    stdin: options.stdin ?? `${CLIENT_SECRET}\n`,
    env: { ...ENV, ...options.env },
  });

describe('pnpm admin idp:add', () => {
  it('discovers the IdP, seals the secret, prints the redirect URI and audits without the secret', async () => {
    const run = await add(['--label', 'Acme SSO', '--allow-domain', 'Corp.Example', '--scopes', 'openid email']);
    expect(run.code, run.stderr).toBe(0);
    expect(run.stdout).toContain(`register this redirect URI at the identity provider: ${ISSUER}/sso/corp/callback`);
    expect(run.stdout).toContain('Continue with Acme SSO');
    const row = await db.prisma.identityProvider.findUniqueOrThrow({ where: { slug: 'corp' } });
    expect(row).toMatchObject({ issuer: idp.issuer, clientId: idp.clientId, label: 'Acme SSO', allowedDomains: ['corp.example'], jitEnabled: true, scopes: 'openid email' });
    expect(row.clientSecretEncrypted).not.toContain(CLIENT_SECRET);
    expect(openClientSecret(row.clientSecretEncrypted, KEY_SECRET, 'corp')).toBe(CLIENT_SECRET);
    expect(run.audit).toEqual([expect.objectContaining({ audit: true, event: 'idp.added', provider: 'corp', issuer: idp.issuer, jit: true, by: 'admin_cli' })]);
    expect(JSON.stringify(run)).not.toContain(CLIENT_SECRET);
    expect(JSON.stringify(run)).not.toContain(row.clientSecretEncrypted);
  });

  it('--json prints the row without any form of the secret; --no-jit is stored', async () => {
    const run = await add(['--no-jit', '--json']);
    expect(run.code, run.stderr).toBe(0);
    const printed = JSON.parse(run.stdout) as Record<string, unknown>;
    expect(printed).toMatchObject({ slug: 'corp', jitEnabled: false, redirectUri: `${ISSUER}/sso/corp/callback` });
    expect(printed).not.toHaveProperty('clientSecretEncrypted');
  });

  it.each([
    [['--issuer', 'http://idp.example.com'], {}, /plain http is accepted only for a loopback address/],
    [['--issuer', 'http://10.1.2.3:8080'], {}, /plain http is accepted only for a loopback address/],
    [[], { NODE_ENV: 'production' }, /must be https when NODE_ENV=production/],
    [['--name', 'Corp Inc'], {}, /--name "Corp Inc" must be/],
    [['--allow-domain', '@corp.example'], {}, /--allow-domain "@corp.example"/],
    [['--scopes', 'email profile'], {}, /must include "openid"/],
  ])('refuses %j %j with exit 1 and stores nothing', async (extra, env, reason) => {
    // Later options win in parseArgs, so these replace the good defaults.
    const run = await add(extra, { env });
    expect(run.code).toBe(1);
    expect(run.stderr).toMatch(reason);
    expect(await db.prisma.identityProvider.count()).toBe(0);
  });

  it('refuses a secret on the command line, a missing --client-secret-stdin and an empty stdin', async () => {
    const onArgv = await admin(db.prisma, ['idp:add', '--name', 'corp', '--issuer', idp.issuer, '--client-id', 'x', '--client-secret', CLIENT_SECRET], { env: ENV });
    expect(onArgv.code).toBe(2);
    expect(onArgv.stderr).toMatch(/Unknown option '--client-secret'/);
    const noFlag = await admin(db.prisma, ['idp:add', '--name', 'corp', '--issuer', idp.issuer, '--client-id', 'x'], { env: ENV, stdin: CLIENT_SECRET });
    expect(noFlag.code).toBe(2);
    expect(noFlag.stderr).toMatch(/--client-secret-stdin is required/);
    const empty = await add([], { stdin: '' });
    expect(empty.code).toBe(1);
    expect(empty.stderr).toMatch(/no client secret on standard input/);
    expect(await db.prisma.identityProvider.count()).toBe(0);
  });

  it('refuses an issuer that cannot be discovered and a second IdP of the same name', async () => {
    const unreachable = await add(['--issuer', 'http://127.0.0.1:1']);
    expect(unreachable.code).toBe(1);
    expect(unreachable.stderr).toMatch(/could not reach http:\/\/127\.0\.0\.1:1/);
    expect((await add()).code).toBe(0);
    const again = await add();
    expect(again.code).toBe(1);
    expect(again.stderr).toMatch(/already exists/);
  });
});

describe('pnpm admin idp:list and idp:remove', () => {
  async function linkUser(email: string, withPassword: boolean) {
    const provider = await db.prisma.identityProvider.findUniqueOrThrow({ where: { slug: 'corp' } });
    const user = await db.prisma.user.create({ data: { email, passwordHash: withPassword ? 'placeholder-hash' : null } });
    await db.prisma.externalIdentity.create({ data: { providerId: provider.id, subject: `sub-${email}`, userId: user.id, email } });
    return user;
  }

  it('lists linked accounts and how many sign in only through the IdP, never the secret', async () => {
    expect((await add()).code).toBe(0);
    await linkUser('sso-only@corp.example', false);
    await linkUser('both@corp.example', true);
    const run = await admin(db.prisma, ['idp:list', '--json'], { env: ENV });
    expect(run.code).toBe(0);
    const [row] = JSON.parse(run.stdout) as Record<string, unknown>[];
    expect(row).toMatchObject({ slug: 'corp', linkedAccounts: 2, soleSignInAccounts: 1, redirectUri: `${ISSUER}/sso/corp/callback` });
    expect(row).not.toHaveProperty('clientSecretEncrypted');
    const text = await admin(db.prisma, ['idp:list'], { env: ENV });
    expect(text.stdout).toContain('2 (1 only via it)');
  });

  it('refuses while an account signs in only through it, names that account, and removes with --force', async () => {
    expect((await add()).code).toBe(0);
    const stranded = await linkUser('sso-only@corp.example', false);
    await linkUser('both@corp.example', true);
    const refused = await admin(db.prisma, ['idp:remove', 'corp'], { env: ENV });
    expect(refused.code).toBe(1);
    expect(refused.stderr).toMatch(/1 account\(s\) sign in only through "corp" \(sso-only@corp\.example\)/);
    expect(await db.prisma.identityProvider.count()).toBe(1);
    expect(refused.audit).toEqual([]);

    const forced = await admin(db.prisma, ['idp:remove', 'corp', '--force'], { env: ENV });
    expect(forced.code, forced.stderr).toBe(0);
    expect(forced.stdout).toContain('2 account link(s) deleted');
    expect(forced.stdout).toContain('now have no way to sign in: sso-only@corp.example');
    expect(await db.prisma.externalIdentity.count()).toBe(0);
    expect(await db.prisma.user.findUnique({ where: { id: stranded.id } })).not.toBeNull();
    expect(forced.audit).toEqual([expect.objectContaining({ event: 'idp.removed', provider: 'corp', unlinkedAccounts: 2, strandedAccounts: 1, forced: true })]);
  });

  it('removes without --force when every linked account has another way in; an unknown name is exit 1', async () => {
    expect((await add()).code).toBe(0);
    await linkUser('both@corp.example', true);
    const run = await admin(db.prisma, ['idp:remove', 'corp'], { env: ENV });
    expect(run.code, run.stderr).toBe(0);
    expect(await db.prisma.identityProvider.count()).toBe(0);
    const missing = await admin(db.prisma, ['idp:remove', 'nope'], { env: ENV });
    expect(missing.code).toBe(1);
    expect(missing.stderr).toMatch(/no identity provider named "nope"/);
  });
});
