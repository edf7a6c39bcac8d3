// The restore drill of docs/operations.md, "Backup and recovery", end to end with the real things:
// a client linked through the real sign-in and consent pages, `pnpm admin backup`, the database
// lost, `pnpm admin restore` into a new database, both apps started on it under the same issuer,
// resource and KEY_ENCRYPTION_SECRET. What the user had must still work without linking again.
import { randomBytes } from 'node:crypto';
import { mkdtemp, rm } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';

import { createPrismaClient } from '@omnichat/db';
import { createTestDatabase, databaseUrl, type TestDatabase } from '@omnichat/db/testing';
import * as oauth from 'openid-client';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';

import { createUser, startAuthServer, type RunningAuthServer } from '@omnichat/auth/testing';
import { TestBrowser, csrfFrom, formActions, CHATGPT_REDIRECT_URI, obtainTokens, type ObtainedTokens, freePort, postMcp, rpc } from '@omnichat/testkit';
import { startMcpServer, type RunningMcpServer } from '@omnichat/mcp/testing';
import { postgresToolsOrSkipReason, admin } from '@omnichat/admin/testing';

const skipReason = await postgresToolsOrSkipReason();
if (skipReason) console.warn(`backup tests skipped: ${skipReason}`);

const EMAIL = 'drill@example.com';
const PASSWORD = 'correct horse battery staple';
const SCOPE = 'files:read';

let source: TestDatabase | undefined;
let dir: string;
let auth: RunningAuthServer | undefined;
let mcp: RunningMcpServer | undefined;
let resourceUrl: string;
let restoredUrl: string;
let linked: ObtainedTokens;
let userId: string;

const whoami = (token: string) => postMcp(mcp!.url, rpc('tools/call', { name: 'whoami', arguments: {} }), { token });

beforeAll(async () => {
  if (skipReason) return;
  dir = await mkdtemp(path.join(os.tmpdir(), 'omnichat-drill-'));
  source = await createTestDatabase();
  resourceUrl = `http://127.0.0.1:${await freePort()}/mcp`;
  auth = await startAuthServer({ databaseUrl: source.url, resourceUrl });
  mcp = await startMcpServer({ databaseUrl: source.url, issuer: auth.issuer, resourceUrl });
  userId = await createUser(source.prisma, EMAIL, PASSWORD);
  linked = await obtainTokens({ issuer: auth.issuer, email: EMAIL, password: PASSWORD, resource: mcp.url, scope: SCOPE });
  expect((await whoami(linked.accessToken)).body.result.structuredContent).toMatchObject({ id: userId, email: EMAIL });
}, 60_000);

afterAll(async () => {
  await mcp?.close();
  await auth?.close();
  await source?.drop();
  if (dir) await rm(dir, { recursive: true, force: true });
});

describe.skipIf(skipReason !== undefined)('restore drill: back up, lose the database, restore into a new one, start the apps on it', () => {
  it('backs up the live database, and the old deployment is gone', async () => {
    const file = path.join(dir, 'drill.tar');
    const run = await admin(source!.prisma, ['backup', '--out', file, '--json'], { databaseUrl: source!.url });
    expect(run.code, run.stderr).toBe(0);
    const manifest = JSON.parse(run.stdout) as { signingKeys: { kid: string }[] };
    expect(manifest.signingKeys.length).toBeGreaterThan(0);

    const issuerPort = Number(new URL(auth!.issuer).port);
    await mcp!.close();
    await auth!.close();
    mcp = auth = undefined;
    await source!.drop();
    source = undefined;

    const { adminUrl, prefix } = inject('omnichatTestDatabase');
    restoredUrl = databaseUrl(adminUrl, `${prefix}drill_${randomBytes(4).toString('hex')}`);
    // As the CLI does: a client on the target URL (connecting lazily), the URL handed to pg_restore.
    const prisma = createPrismaClient(restoredUrl);
    const restored = await admin(prisma, ['restore', '--in', file], { databaseUrl: restoredUrl });
    await prisma.$disconnect();
    expect(restored.code, restored.stderr).toBe(0);

    // The same issuer, resource and KEY_ENCRYPTION_SECRET as before, on the restored database.
    auth = await startAuthServer({ databaseUrl: restoredUrl, resourceUrl, port: issuerPort });
    mcp = await startMcpServer({ databaseUrl: restoredUrl, issuer: auth.issuer, resourceUrl });
    const jwks = (await (await fetch(`${auth.issuer}/jwks`)).json()) as { keys: { kid: string }[] };
    // The restored keys are served again (they open with the same KEY_ENCRYPTION_SECRET).
    expect(jwks.keys.map((key) => key.kid).sort()).toEqual(manifest.signingKeys.map((key) => key.kid).sort());
  }, 120_000);

  it('the access token issued before the backup still verifies at /mcp', async () => {
    const reply = await whoami(linked.accessToken);
    expect(reply.status).toBe(200);
    expect(reply.body.result.isError).toBeUndefined();
    expect(reply.body.result.structuredContent).toMatchObject({ id: userId, email: EMAIL });
  });

  it('the refresh token issued before the backup still works, and its new access token too', async () => {
    const refreshed = await oauth.refreshTokenGrant(linked.config, linked.refreshToken!, { resource: resourceUrl });
    expect(refreshed.access_token).not.toBe(linked.accessToken);
    expect(refreshed.refresh_token).toBeTruthy();
    const reply = await whoami(refreshed.access_token);
    expect(reply.status).toBe(200);
    expect(reply.body.result.structuredContent).toMatchObject({ id: userId, email: EMAIL });
  });

  it('the consent is remembered: signing in again goes straight back to the client, no consent page', async () => {
    const browser = new TestBrowser(auth!.issuer);
    const verifier = oauth.randomPKCECodeVerifier();
    const url = oauth.buildAuthorizationUrl(linked.config, {
      redirect_uri: CHATGPT_REDIRECT_URI,
      scope: SCOPE,
      resource: resourceUrl,
      state: oauth.randomState(),
      code_challenge: await oauth.calculatePKCECodeChallenge(verifier),
      code_challenge_method: 'S256',
    });
    const signIn = await browser.follow(url.href);
    const login = formActions(signIn.body).find((action) => action.endsWith('/login'));
    expect(login, 'a sign-in page (a fresh browser has no session)').toBeDefined();
    const done = await browser.follow(login!, { form: { csrf: csrfFrom(signIn.body), email: EMAIL, password: PASSWORD } });
    expect(formActions(done.body).some((action) => action.endsWith('/confirm')), 'no consent page').toBe(false);
    expect(done.location).toMatch(new RegExp(`^${CHATGPT_REDIRECT_URI}\\?code=`));
  });
});
