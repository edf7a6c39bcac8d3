// Changing KEY_ENCRYPTION_SECRET with a linked client that never stops: real auth and MCP servers
// on loopback and one real Postgres, restarted with the new secret and the old one in
// KEY_ENCRYPTION_SECRET_PREVIOUS, `pnpm admin secrets:rotate`, then restarted with the new secret alone.
import { createTestDatabase, type TestDatabase } from '@omnichat/db/testing';
import { deriveKey, openSecret, seal as sealLegacy, secretId } from '@omnichat/secrets';
import ssh2 from 'ssh2';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';

import { prepareSshHost } from '@omnichat/ssh-hosts';
import { createUser, startAuthServer, type RunningAuthServer } from '@omnichat/auth/testing';
import { csrfFrom, obtainTokens, callTool, freePort } from '@omnichat/testkit';
import { startMcpServer, type RunningMcpServer } from '@omnichat/mcp/testing';
import { admin } from '@omnichat/admin/testing';

const OLD = 'the-old-key-encryption-secret-for-the-live-test-0123';
const NEW = 'the-new-key-encryption-secret-for-the-live-test-4567';
const WRONG = 'not-the-secret-anything-was-sealed-with-0123456789';
const EMAIL = 'rotating@example.com';
const PASSWORD = 'secret rotation test password';
const clientKey = ssh2.utils.generateKeyPairSync('ed25519');
const CLIENT_KEY = clientKey.private;
const HOST_KEY = `${ssh2.utils.generateKeyPairSync('ed25519').public.trim()} root@build-box`;

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));
const secrets = (current: string, previous?: string) => ({ KEY_ENCRYPTION_SECRET: current, ...(previous ? { KEY_ENCRYPTION_SECRET_PREVIOUS: previous } : {}) });

let db: TestDatabase;
beforeAll(async () => {
  db = await createTestDatabase();
  await createUser(db.prisma, EMAIL, PASSWORD);
});
afterAll(async () => db?.drop());

describe('rotating KEY_ENCRYPTION_SECRET under a live connection', () => {
  let auth: RunningAuthServer | undefined;
  let mcp: RunningMcpServer | undefined;
  let authPort: number;
  let resourceUrl: string;

  const startAuth = (env: Record<string, string>) => startAuthServer({ prisma: db.prisma, port: authPort, resourceUrl, env });
  const startMcp = (env: Record<string, string>) =>
    startMcpServer({ databaseUrl: db.url, issuer: `http://127.0.0.1:${authPort}`, resourceUrl, env });
  async function restart(env: Record<string, string>) {
    await mcp?.close();
    await auth?.close();
    auth = await startAuth(env);
    mcp = await startMcp(env);
  }

  beforeAll(async () => {
    authPort = await freePort();
    resourceUrl = `http://127.0.0.1:${await freePort()}/mcp`;
    auth = await startAuth(secrets(OLD));
    mcp = await startMcp(secrets(OLD));
  });
  afterAll(async () => {
    await mcp?.close();
    await auth?.close();
  });

  it('keeps a linked client refreshing and calling /mcp, the browser signed in and its open form valid, then re-seals everything', async () => {
    const issuer = `http://127.0.0.1:${authPort}`;
    const tokens = await obtainTokens({ issuer, email: EMAIL, password: PASSWORD, resource: resourceUrl });
    // The browser that signed in keeps its session cookie, signed with the old secret's key, and an
    // account page form rendered under it.
    const before = await tokens.browser.request(`${issuer}/account`);
    expect(before.body).toContain(EMAIL);
    const oldFormCsrf = csrfFrom(before.body);
    // An SSH host approved under the old secret, in the unversioned format older releases wrote.
    const hostId = '7d9a3c1e-0c1b-4f43-9d51-2a8f6f1c0b11';
    const host = prepareSshHost({ name: 'build-box', address: '127.0.0.1', port: 22, username: 'ci', privateKey: CLIENT_KEY, hostKey: HOST_KEY, commandAllowList: [] }, OLD);
    await db.prisma.sshHost.create({ data: { ...host, id: hostId, privateKeyEncrypted: sealUnversioned(OLD, hostId) } });

    let accessToken = tokens.accessToken;
    let refreshToken = tokens.refreshToken ?? '';
    const refusals: string[] = [];
    let calls = 0;
    let refreshes = 0;
    let running = true;
    // A client retries what a restarting server answers (no connection, a reset, Fastify's 503 while
    // it closes); a refusal it cannot retry (401, invalid_grant, a tool error) is a failure.
    const unreachable = (error: unknown) => error instanceof Error && (/fetch failed/.test(error.message) || /HTTP 503/.test(error.message));
    const caller = (async () => {
      while (running) {
        try {
          const result = await callTool(resourceUrl, 'whoami', {}, accessToken);
          if (result.isError) refusals.push(`whoami: ${JSON.stringify(result.content)}`);
          else calls += 1;
        } catch (error) {
          if (!unreachable(error)) refusals.push(`whoami: ${(error as Error).message}`);
          await sleep(20);
        }
      }
    })();
    const refresher = (async () => {
      while (running) {
        try {
          const response = await fetch(`${issuer}/token`, {
            method: 'POST',
            headers: { 'content-type': 'application/x-www-form-urlencoded' },
            body: new URLSearchParams({ grant_type: 'refresh_token', refresh_token: refreshToken, client_id: tokens.clientId }),
          });
          const body = response.status === 503 ? {} : ((await response.json()) as Record<string, string>);
          if (response.status === 503) {
            // closing: retried on the next round
          } else if (response.status !== 200) refusals.push(`refresh: ${response.status} ${JSON.stringify(body)}`);
          else {
            [accessToken, refreshToken] = [body.access_token ?? '', body.refresh_token ?? ''];
            refreshes += 1;
          }
        } catch (error) {
          if (!unreachable(error)) refusals.push(`refresh: ${(error as Error).message}`);
        }
        await sleep(100);
      }
    })();
    const progress = async (what: string) => {
      const [c, r] = [calls, refreshes];
      for (let waited = 0; calls < c + 3 || refreshes < r + 2; waited += 50) {
        if (waited > 15_000) throw new Error(`${what}: the client made no progress (${JSON.stringify(refusals)})`);
        await sleep(50);
      }
    };

    try {
      await progress('under the old secret');

      // A wrong previous secret is refused at boot, naming the key and never a secret.
      await mcp?.close();
      await auth?.close();
      const refused = await startAuth(secrets(NEW, WRONG)).then(
        async (server) => {
          await server.close();
          return '';
        },
        (error: Error) => error.message,
      );
      expect(refused).toMatch(/^signing key \S+ does not open with this KEY_ENCRYPTION_SECRET nor with any of the 1 KEY_ENCRYPTION_SECRET_PREVIOUS values/);
      for (const secret of [OLD, NEW, WRONG]) expect(refused).not.toContain(secret);

      // Step 1: every app restarts with the new secret, the old one listed as previous.
      auth = await startAuth(secrets(NEW, OLD));
      mcp = await startMcp(secrets(NEW, OLD));
      await progress('restarted with the new secret and the old one as previous');
      const signedIn = await tokens.browser.request(`${issuer}/account`);
      expect(signedIn.body).toContain(EMAIL);
      // The form rendered before the restart still posts (a wrong password: 401, not a CSRF 400).
      const oldForm = await tokens.browser.request(`${issuer}/account/login`, { form: { csrf: oldFormCsrf, email: EMAIL, password: 'wrong' }, headers: { origin: issuer } });
      expect(oldForm.status).toBe(401);

      // Step 2: re-seal. A wrong previous secret refuses the whole run and changes nothing.
      const stored = async () => [
        ...(await db.prisma.signingKey.findMany({ orderBy: { kid: 'asc' } })).map((row) => row.privateJwkEncrypted),
        ...(await db.prisma.sshHost.findMany()).map((row) => row.privateKeyEncrypted),
      ];
      const untouched = await stored();
      const wrong = await admin(db.prisma, ['secrets:rotate'], { env: secrets(NEW, WRONG) });
      expect(wrong.code).toBe(1);
      expect(wrong.stderr).toMatch(/^admin secrets:rotate: signing key \S+ does not open with this KEY_ENCRYPTION_SECRET nor with any of the 1 KEY_ENCRYPTION_SECRET_PREVIOUS values.*; nothing was re-sealed\n$/);
      for (const secret of [OLD, NEW, WRONG]) expect(wrong.stderr + wrong.stdout).not.toContain(secret);
      expect(await stored()).toEqual(untouched);

      const rotated = await admin(db.prisma, ['secrets:rotate', '--json'], { env: secrets(NEW, OLD) });
      expect(rotated.code, rotated.stderr).toBe(0);
      const result = JSON.parse(rotated.stdout) as { signingKeys: string[]; sshHosts: string[] };
      expect(result.signingKeys).toHaveLength(2);
      expect(result.sshHosts).toEqual(['build-box']);
      expect(rotated.audit).toEqual([expect.objectContaining({ audit: true, event: 'secrets.resealed', signingKeys: result.signingKeys, sshHosts: ['build-box'], previousSecrets: 1, by: 'admin_cli' })]);
      for (const value of await stored()) expect(value.split('.').slice(0, 2)).toEqual(['v1', secretId(NEW)]);
      const sealedKey = (await db.prisma.sshHost.findUniqueOrThrow({ where: { id: hostId } })).privateKeyEncrypted;
      expect(openSecret(sealedKey, NEW, 'ssh-private-key', hostId)).toBe(CLIENT_KEY);
      await progress('after secrets:rotate');

      // Nothing left to do: refused, nothing written.
      const again = await admin(db.prisma, ['secrets:rotate'], { env: secrets(NEW, OLD) });
      expect(again.code).toBe(1);
      expect(again.stderr).toMatch(/nothing to re-seal: all 2 signing keys and 1 SSH keys are already sealed under this KEY_ENCRYPTION_SECRET/);
      expect(again.audit).toEqual([]);

      // Step 3, after a session lifetime: the old secret is dropped; the stored keys need only the new one.
      await restart(secrets(NEW));
      await progress('restarted with the new secret alone');
      // The session cookie was re-signed with the new key when the browser came back in step 1.
      expect((await tokens.browser.request(`${issuer}/account`)).body).toContain(EMAIL);
      // Without the previous secret an old form's token no longer verifies.
      const stale = await tokens.browser.request(`${issuer}/account/login`, { form: { csrf: oldFormCsrf, email: EMAIL, password: 'wrong' }, headers: { origin: issuer } });
      expect(stale.status).toBe(400);
    } finally {
      running = false;
      await Promise.all([caller, refresher]);
    }
    expect(refusals).toEqual([]);
  }, 120_000);
});

/** What releases before the versioned format wrote: base64url(iv).base64url(ct||tag), no header. */
function sealUnversioned(secret: string, hostId: string): string {
  return sealLegacy(deriveKey(secret, 'ssh-private-key'), CLIENT_KEY, hostId);
}
