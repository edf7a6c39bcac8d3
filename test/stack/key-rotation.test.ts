// Rotation with real servers on one real Postgres: two auth replicas, the MCP app verifying with
// the auth app's JWKS over HTTP, and a client that never stops calling a protected tool.
import { createTestDatabase, type TestDatabase } from '@omnichat/db/testing';
import { decodeProtectedHeader } from 'jose';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';

import { createResilientRemoteJwks } from '@omnichat/mcp';
import { authorizeInBrowser, callTool, obtainTokens, freePort, token } from '@omnichat/testkit';
import { startMcpServer, type RunningMcpServer } from '@omnichat/mcp/testing';
import { rotateIfDue, rotateSigningKeys, type RotationResult } from '@omnichat/signing-keys';
import { TEST_KEY_ENCRYPTION_SECRET, createUser, startAuthServer, type RunningAuthServer } from '@omnichat/auth/testing';

const PASSWORD = 'rotation test password';
/** Scaled-down timings: replicas poll every 200 ms, a next key waits 1 s before it may sign. */
const FAST_KEYS = { KEY_SET_POLL_SECONDS: '0.2', KEY_PUBLISH_LEAD_SECONDS: '1' };
const timings = { accessTokenTtlSeconds: 600, keySetPollSeconds: 0.2, keyPublishLeadSeconds: 1, keyRotationDays: 0 };

let db: TestDatabase;
beforeAll(async () => {
  db = await createTestDatabase();
  await createUser(db.prisma, 'rotator@example.com', PASSWORD);
});
afterAll(async () => db?.drop());

const kidOf = (token: string) => decodeProtectedHeader(token).kid;
const publishedKids = async (origin: string) => ((await (await fetch(`${origin}/jwks`)).json()) as { keys: { kid: string }[] }).keys.map((key) => key.kid);
const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

async function until<T>(what: string, probe: () => Promise<T | undefined>, timeoutMs: number): Promise<{ value: T; afterMs: number }> {
  const started = Date.now();
  for (;;) {
    const value = await probe();
    if (value !== undefined) return { value, afterMs: Date.now() - started };
    if (Date.now() - started > timeoutMs) throw new Error(`${what}: not within ${timeoutMs} ms`);
    await sleep(25);
  }
}

const tokenRequest = (origin: string, form: Record<string, string>) => token<Record<string, string>>(origin, form);

describe('two auth replicas on one Postgres', () => {
  let a: RunningAuthServer;
  let b: RunningAuthServer;
  beforeAll(async () => {
    a = await startAuthServer({ prisma: db.prisma, env: FAST_KEYS });
    // Same issuer (one public URL behind a load balancer), its own port.
    b = await startAuthServer({ prisma: db.prisma, env: { ...FAST_KEYS, ISSUER: a.issuer } });
  });
  afterAll(async () => {
    await b?.close();
    await a?.close();
  });

  it('authorizes on A, redeems the code on B, refreshes on A; a rotation made through A is served by B within the poll bound', async () => {
    const resource = a.config.resourceUrl;
    // obtainTokens registers the client and signs in on A; a second authorization gives a code to redeem on B.
    const { config, clientId, browser } = await obtainTokens({ issuer: a.issuer, email: 'rotator@example.com', password: PASSWORD, resource });
    const oauth = await import('openid-client');
    const verifier = oauth.randomPKCECodeVerifier();
    const url = oauth.buildAuthorizationUrl(config, {
      redirect_uri: 'https://chatgpt.com/connector_platform_oauth_redirect',
      resource,
      code_challenge: await oauth.calculatePKCECodeChallenge(verifier),
      code_challenge_method: 'S256',
    });
    const redirect = await authorizeInBrowser(browser, url, { email: 'rotator@example.com', password: PASSWORD });
    const code = new URL(redirect.location ?? '').searchParams.get('code') ?? '';
    expect(code).not.toBe('');

    // b.issuer is B's own origin; its configured issuer is A's (the one public URL).
    const bOrigin = b.issuer;
    expect(b.config.issuer).toBe(a.issuer);
    const onB = await tokenRequest(bOrigin, {
      grant_type: 'authorization_code', code, code_verifier: verifier, client_id: clientId, redirect_uri: 'https://chatgpt.com/connector_platform_oauth_redirect', resource,
    });
    expect(onB.status, JSON.stringify(onB.body)).toBe(200);
    const refreshed = await tokenRequest(a.issuer, { grant_type: 'refresh_token', refresh_token: onB.body.refresh_token ?? '', client_id: clientId });
    expect(refreshed.status, JSON.stringify(refreshed.body)).toBe(200);

    const before = await publishedKids(bOrigin);
    await sleep(1000); // the next key has now been published for KEY_PUBLISH_LEAD_SECONDS
    const rotation = await rotateSigningKeys(db.prisma, TEST_KEY_ENCRYPTION_SECRET, { timings });
    expect(before).toEqual([rotation.retiredKid, rotation.currentKid]);
    const served = await until('B publishes the rotated set', async () => {
      const kids = await publishedKids(bOrigin);
      return kids[0] === rotation.currentKid ? kids : undefined;
    }, 2_000);
    expect(served.value).toEqual([rotation.currentKid, rotation.nextKid, rotation.retiredKid]);
    expect(served.afterMs).toBeLessThan(200 + 500);

    const onBAfter = await tokenRequest(bOrigin, { grant_type: 'refresh_token', refresh_token: refreshed.body.refresh_token ?? '', client_id: clientId });
    expect(onBAfter.status).toBe(200);
    expect(kidOf(onBAfter.body.access_token ?? '')).toBe(rotation.currentKid);
    expect(kidOf(refreshed.body.access_token ?? '')).toBe(rotation.retiredKid);
  }, 60_000);

  it('rotates once for a due period however many replicas run the schedule at once', async () => {
    const due = { ...timings, keyRotationDays: 1 };
    const later = new Date(Date.now() + 2 * 86_400_000);
    const before = await db.prisma.signingKey.findFirstOrThrow({ where: { state: 'current' } });
    const results = await Promise.all(Array.from({ length: 4 }, () => rotateIfDue(db.prisma, TEST_KEY_ENCRYPTION_SECRET, { timings: due, now: later })));
    expect(results.filter((result) => result.rotation !== undefined)).toHaveLength(1);
    const states = await db.prisma.signingKey.findMany({ orderBy: { createdAt: 'asc' } });
    expect(states.filter((key) => key.state === 'current')).toHaveLength(1);
    expect(states.filter((key) => key.state === 'next')).toHaveLength(1);
    expect(states.find((key) => key.kid === before.kid)?.state).toBe('retired');
    // Two days on, the first retired key's retention (about an hour) is over: it is gone.
    expect(states.map((key) => key.state)).not.toContain(undefined);
    expect(results.flatMap((result) => result.deletedKids).length).toBeGreaterThanOrEqual(1);
  }, 30_000);
});

describe('rotation under load', () => {
  let auth: RunningAuthServer;
  let mcp: RunningMcpServer;
  let own: TestDatabase;
  beforeAll(async () => {
    // Its own database: the schedule test above leaves keys dated in the future.
    own = await createTestDatabase();
    await createUser(own.prisma, 'rotator@example.com', PASSWORD);
    const resourceUrl = `http://127.0.0.1:${await freePort()}/mcp`;
    auth = await startAuthServer({ prisma: own.prisma, resourceUrl, env: FAST_KEYS });
    // The production key source (stale-if-error remote JWKS over HTTP), with its cache age scaled
    // down like the key timings: it must stay below KEY_PUBLISH_LEAD_SECONDS (docs/operations.md).
    mcp = await startMcpServer({
      databaseUrl: own.url,
      issuer: auth.issuer,
      resourceUrl,
      getKey: createResilientRemoteJwks(new URL(`${auth.issuer}/jwks`), { cacheMaxAgeMs: 500 }),
    });
  });
  afterAll(async () => {
    await mcp?.close();
    await auth?.close();
    await own?.drop();
  });

  it('keeps every call to a protected tool succeeding while keys rotate twice', async () => {
    const tokens = await obtainTokens({ issuer: auth.issuer, email: 'rotator@example.com', password: PASSWORD, resource: mcp.url });
    let accessToken = tokens.accessToken;
    let refreshToken = tokens.refreshToken ?? '';
    const failures: string[] = [];
    const kidsUsed = new Set<string>();
    let calls = 0;
    let running = true;

    const caller = (async () => {
      while (running) {
        const token = accessToken;
        try {
          const result = await callTool(mcp.url, 'whoami', {}, token);
          if (result.isError) failures.push(JSON.stringify(result.content));
          else kidsUsed.add(kidOf(token) ?? '');
        } catch (error) {
          failures.push((error as Error).message);
        }
        calls += 1;
      }
    })();
    const refresher = (async () => {
      while (running) {
        const response = await tokenRequest(auth.issuer, { grant_type: 'refresh_token', refresh_token: refreshToken, client_id: tokens.clientId });
        if (response.status !== 200) failures.push(`refresh: ${JSON.stringify(response.body)}`);
        else [accessToken, refreshToken] = [response.body.access_token ?? '', response.body.refresh_token ?? ''];
        await sleep(100);
      }
    })();

    const rotations: RotationResult[] = [];
    try {
      for (let round = 0; round < 2; round += 1) {
        await sleep(1_100); // the next key has been published for KEY_PUBLISH_LEAD_SECONDS
        rotations.push(await rotateSigningKeys(own.prisma, TEST_KEY_ENCRYPTION_SECRET, { timings }));
      }
      await until('tokens signed by the second promoted key verify', async () => (kidsUsed.has(rotations[1]?.currentKid ?? '') ? true : undefined), 3_000);
    } finally {
      running = false;
      await Promise.all([caller, refresher]);
    }

    expect(failures).toEqual([]);
    expect(calls).toBeGreaterThan(20);
    expect(kidsUsed).toEqual(new Set([rotations[0]?.retiredKid, rotations[0]?.currentKid, rotations[1]?.currentKid]));
  }, 60_000);
});
