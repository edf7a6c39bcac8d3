// What keys:revoke and secrets:rotate refuse, and what keys:revoke leaves behind, on a real Postgres.
import { ensureSigningKey } from '@omnichat/signing-keys';
import { createTestDatabase, type TestDatabase } from '@omnichat/db/testing';
import { prepareSshHost } from '@omnichat/ssh-hosts';
import ssh2 from 'ssh2';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';

import { admin } from './helpers/run.js';

const SECRET = 'admin-test-key-encryption-secret-0123456789';
const OTHER = 'a-third-secret-nobody-configured-0123456789';
let db: TestDatabase;

beforeAll(async () => {
  db = await createTestDatabase();
});
afterAll(async () => db?.drop());
beforeEach(async () => {
  await db.prisma.signingKey.deleteMany();
  await db.prisma.sshHost.deleteMany();
  await ensureSigningKey(db.prisma, SECRET);
});

const keyIn = async (state: string) => (await db.prisma.signingKey.findFirstOrThrow({ where: { state } })).kid;

describe('pnpm admin keys:revoke', () => {
  it('revokes the current key: promotes next, publishes a fresh next, wipes the private half, audits it', async () => {
    const [current, next] = [await keyIn('current'), await keyIn('next')];
    const run = await admin(db.prisma, ['keys:revoke', current, '--json']);
    expect(run.code, run.stderr).toBe(0);
    const result = JSON.parse(run.stdout) as { kid: string; wasState: string; currentKid: string; nextKid: string };
    expect(result).toMatchObject({ kid: current, wasState: 'current', currentKid: next });
    const rows = await db.prisma.signingKey.findMany();
    expect(rows.find((row) => row.kid === current)).toMatchObject({ state: 'revoked', privateJwkEncrypted: '' });
    expect(rows.find((row) => row.kid === next)?.state).toBe('current');
    expect(rows.find((row) => row.kid === result.nextKid)?.state).toBe('next');
    expect(run.audit).toEqual([{ audit: true, event: 'key.revoked', kid: current, wasState: 'current', currentKid: next, nextKid: result.nextKid, by: 'admin_cli' }]);
    const list = await admin(db.prisma, ['keys:list', '--json']);
    expect((JSON.parse(list.stdout) as { kid: string; state: string; deletableAt: unknown }[]).find((key) => key.kid === current)).toMatchObject({ state: 'revoked', deletableAt: null });
  });

  it('revokes the next key and publishes a fresh one; the current key keeps signing', async () => {
    const [current, next] = [await keyIn('current'), await keyIn('next')];
    const run = await admin(db.prisma, ['keys:revoke', next, '--json']);
    expect(run.code, run.stderr).toBe(0);
    const result = JSON.parse(run.stdout) as { currentKid: string; nextKid: string };
    expect(result.currentKid).toBe(current);
    expect(result.nextKid).not.toBe(next);
    expect(await keyIn('next')).toBe(result.nextKid);
  });

  it('refuses revoking the only key that can sign when there is no next key to replace it; --new-key signs with a fresh one', async () => {
    const current = await keyIn('current');
    await db.prisma.signingKey.deleteMany({ where: { state: 'next' } });
    const refused = await admin(db.prisma, ['keys:revoke', current]);
    expect(refused.code).toBe(1);
    expect(refused.stderr).toBe(
      `admin keys:revoke: signing key ${current} is the only key that can sign and there is no next key to replace it; ` +
        'pass --new-key to sign with a freshly generated key at once (verifiers may refuse new tokens until they refetch /jwks, at most their cool-down)\n',
    );
    expect(refused.audit).toEqual([]);
    expect(await keyIn('current')).toBe(current);

    const forced = await admin(db.prisma, ['keys:revoke', current, '--new-key', '--json']);
    expect(forced.code, forced.stderr).toBe(0);
    const result = JSON.parse(forced.stdout) as { currentKid: string; nextKid: string };
    expect(await keyIn('current')).toBe(result.currentKid);
    expect(await keyIn('next')).toBe(result.nextKid);
    expect(result.currentKid).not.toBe(current);
  });

  it.each([
    [['keys:revoke', 'no-such-kid'], 1, 'admin keys:revoke: no signing key with kid no-such-kid (pnpm admin keys:list shows them)'],
    // Key ids are base64url thumbprints: one in 64 begins with "-", and must still name a key.
    [['keys:revoke', '-no-such-kid'], 1, 'admin keys:revoke: no signing key with kid -no-such-kid (pnpm admin keys:list shows them)'],
    [['keys:revoke', '-no-such-kid', '--new-key'], 1, 'admin keys:revoke: no signing key with kid -no-such-kid (pnpm admin keys:list shows them)'],
    [['keys:revoke', '--no-such-option'], 2, "admin keys:revoke: Unknown option '--no-such-option'. To specify a positional argument starting with a '-', place it at the end of the command after '--', as in '-- \"--no-such-option\""],
    [['keys:revoke'], 2, 'admin keys:revoke: missing argument'],
  ])('refuses %j', async (argv, code, message) => {
    const run = await admin(db.prisma, argv);
    expect(run.code).toBe(code);
    expect(run.stderr.split('\n')[0]).toBe(message);
  });

  it('refuses a key already revoked', async () => {
    const current = await keyIn('current');
    expect((await admin(db.prisma, ['keys:revoke', current])).code).toBe(0);
    const again = await admin(db.prisma, ['keys:revoke', current]);
    expect(again.code).toBe(1);
    expect(again.stderr).toBe(`admin keys:revoke: signing key ${current} is already revoked\n`);
  });
});

describe('pnpm admin secrets:rotate refusals', () => {
  it('refuses when nothing changed: every value is already under KEY_ENCRYPTION_SECRET', async () => {
    const run = await admin(db.prisma, ['secrets:rotate']);
    expect(run.code).toBe(1);
    expect(run.stderr).toMatch(/^admin secrets:rotate: nothing to re-seal: all 2 signing keys and 0 SSH keys are already sealed under this KEY_ENCRYPTION_SECRET/);
    expect(run.audit).toEqual([]);
  });

  it.each([
    [{ KEY_ENCRYPTION_SECRET_PREVIOUS: SECRET }, 'KEY_ENCRYPTION_SECRET_PREVIOUS: entry 1 is KEY_ENCRYPTION_SECRET itself (list only the secrets it replaced)'],
    [{ KEY_ENCRYPTION_SECRET_PREVIOUS: 'too-short' }, 'KEY_ENCRYPTION_SECRET_PREVIOUS: entry 1 is shorter than 32 characters'],
    [{ KEY_ENCRYPTION_SECRET: 'short' }, 'KEY_ENCRYPTION_SECRET must be at least 32 characters'],
  ])('refuses the settings %j without quoting a secret', async (env, message) => {
    const run = await admin(db.prisma, ['secrets:rotate'], { env: env as Record<string, string> });
    expect(run.code).toBe(1);
    expect(run.stderr).toContain(message);
    expect(run.stderr).not.toContain(SECRET);
  });

  it('names the SSH host whose key no configured secret opens, and re-seals nothing', async () => {
    const keys = ssh2.utils.generateKeyPairSync('ed25519');
    const hostKey = `${ssh2.utils.generateKeyPairSync('ed25519').public.trim()} root@x`;
    await db.prisma.sshHost.create({ data: prepareSshHost({ name: 'lost-box', address: '127.0.0.1', port: 22, username: 'ci', privateKey: keys.private, hostKey, commandAllowList: [] }, OTHER) });
    const before = await db.prisma.signingKey.findMany({ orderBy: { kid: 'asc' } });
    const run = await admin(db.prisma, ['secrets:rotate'], { env: { KEY_ENCRYPTION_SECRET: 'the-replacement-secret-0123456789abcdef', KEY_ENCRYPTION_SECRET_PREVIOUS: SECRET } });
    expect(run.code).toBe(1);
    expect(run.stderr).toMatch(/^admin secrets:rotate: the SSH key of host "lost-box" does not open: sealed under a secret \(id [\w-]+\) that is neither KEY_ENCRYPTION_SECRET nor in KEY_ENCRYPTION_SECRET_PREVIOUS; nothing was re-sealed\n$/);
    for (const secret of [SECRET, OTHER]) expect(run.stderr).not.toContain(secret);
    // The signing keys it could open were not re-sealed either: one transaction.
    expect(await db.prisma.signingKey.findMany({ orderBy: { kid: 'asc' } })).toEqual(before);
  });
});
