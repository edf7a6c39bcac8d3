// The container step's user journey (.ci/containers/stack.sh starts the stack and runs this): what a
// new user gets from `docker compose up` with no .env, driven from outside the containers through
// their published ports, with Debian's Chromium doing the sign-in. The MCP client discovers the
// authorization server from the resource's 401, registers (DCR), sends the browser through sign-in
// and consent, redeems the code, calls tools; then the auth container is restarted and the refresh
// token must still work, and the file written before the restart must still be there.
import { execFileSync, spawnSync } from 'node:child_process';

import { Client } from '@modelcontextprotocol/sdk/client/index.js';
import { StreamableHTTPClientTransport } from '@modelcontextprotocol/sdk/client/streamableHttp.js';
import { decodeJwt } from 'jose';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';

import { token } from '@omnichat/testkit';
import { launchChromium, loopbackContext, capturedRedirect, chatgptClient, redeem, signIn } from '@omnichat/testkit/chromium';

function required(name: string): string {
  const value = process.env[name];
  if (!value) throw new Error(`${name} is not set: this test runs inside .ci/containers/stack.sh, against the stack it starts`);
  return value;
}
const ISSUER = required('ISSUER');
const RESOURCE = required('RESOURCE_URL');
const EMAIL = required('STACK_EMAIL');
const PASSWORD = required('STACK_PASSWORD');

/** docker-compose against the project stack.sh started (COMPOSE_PROJECT_NAME, DOCKER_HOST from it). */
const compose = (...args: string[]) => execFileSync('docker-compose', args, { encoding: 'utf8', stdio: ['ignore', 'pipe', 'pipe'] });

async function waitReady(url: string): Promise<void> {
  const deadline = Date.now() + 90_000;
  while (Date.now() < deadline) {
    if (await fetch(url).then((response) => response.ok, () => false)) return;
    await new Promise((resolve) => setTimeout(resolve, 500));
  }
  throw new Error(`not ready in 90 s: ${url}`);
}

async function mcpClient(accessToken: string): Promise<Client> {
  const client = new Client({ name: 'omnichat-container-ci', version: '1.0.0' });
  await client.connect(new StreamableHTTPClientTransport(new URL(RESOURCE), { requestInit: { headers: { authorization: `Bearer ${accessToken}` } } }));
  return client;
}

const text = (result: Awaited<ReturnType<Client['callTool']>>) => (result.content as Array<{ text?: string }>).map((part) => part.text ?? '').join('\n');

describe('the compose stack, from outside its containers', () => {
  let browser: Awaited<ReturnType<typeof launchChromium>>;
  beforeAll(async () => {
    browser = await launchChromium();
  });
  afterAll(async () => {
    await browser?.close();
  });

  it('discovery, registration, sign-in in Chromium, token, tool calls; auth restarted, the refresh token still works', async () => {
    // Discovery as an MCP client starts it: the resource's 401 names its metadata, which names the issuer.
    const anonymous = await fetch(RESOURCE, {
      method: 'POST',
      headers: { 'content-type': 'application/json', accept: 'application/json, text/event-stream' },
      body: JSON.stringify({ jsonrpc: '2.0', id: 1, method: 'initialize', params: { protocolVersion: '2025-06-18', capabilities: {}, clientInfo: { name: 'ci', version: '1' } } }),
    });
    expect(anonymous.status).toBe(401);
    const metadataUrl = /resource_metadata="([^"]+)"/.exec(anonymous.headers.get('www-authenticate') ?? '')?.[1];
    expect(metadataUrl).toBe(`${new URL(RESOURCE).origin}/.well-known/oauth-protected-resource/mcp`);
    const prm = (await (await fetch(metadataUrl!)).json()) as { resource: string; authorization_servers: string[] };
    expect(prm).toMatchObject({ resource: RESOURCE, authorization_servers: [ISSUER] });
    const asMetadata = (await (await fetch(`${ISSUER}/.well-known/oauth-authorization-server`)).json()) as Record<string, unknown>;
    expect(asMetadata).toMatchObject({ issuer: ISSUER, registration_endpoint: `${ISSUER}/register`, code_challenge_methods_supported: ['S256'] });

    // Registration (DCR) and the user's part, in a real browser.
    const client = await chatgptClient(ISSUER, RESOURCE, 'Container CI');
    const pending = await client.authorization('openid offline_access files:read files:write');
    const { context, redirects } = await loopbackContext(browser);
    const page = await context.newPage();
    await page.goto(pending.url.href);
    await signIn(page, EMAIL, PASSWORD);
    await page.getByRole('heading', { name: 'Container CI wants to access your OmniChat account' }).waitFor();
    await page.getByRole('button', { name: 'Allow' }).click();
    const redirect = await capturedRedirect(page, redirects);
    expect(redirect.searchParams.get('state')).toBe(pending.state);
    expect(redirect.searchParams.get('iss')).toBe(ISSUER);
    await context.close();

    const tokens = await redeem(ISSUER, pending, redirect, RESOURCE);
    expect(tokens.status, JSON.stringify(tokens.body)).toBe(200);
    expect(decodeJwt(String(tokens.body.access_token))).toMatchObject({ iss: ISSUER, aud: RESOURCE });
    expect(tokens.body.refresh_token).toEqual(expect.any(String));

    const path = `ci/container-${Date.now()}.md`;
    const before = await mcpClient(String(tokens.body.access_token));
    expect((await before.callTool({ name: 'whoami', arguments: {} })).structuredContent).toMatchObject({ email: EMAIL });
    expect((await before.callTool({ name: 'private_files_write', arguments: { path, content: 'written before the restart' } })).isError).toBeFalsy();
    await before.close();

    // The auth container restarted: keys, grants and sessions live in Postgres, not in the process.
    const startedAt = () => execFileSync('podman', ['inspect', '--format', '{{.State.StartedAt}}', compose('ps', '-q', 'auth').trim()], { encoding: 'utf8' });
    const firstStart = startedAt();
    compose('restart', 'auth');
    expect(startedAt()).not.toBe(firstStart);
    await waitReady(`${ISSUER}/readyz`);
    const refreshed = await token(ISSUER, { grant_type: 'refresh_token', refresh_token: String(tokens.body.refresh_token), client_id: pending.clientId, resource: RESOURCE });
    expect(refreshed.status, JSON.stringify(refreshed.body)).toBe(200);
    expect(refreshed.body.refresh_token).not.toBe(tokens.body.refresh_token);

    const after = await mcpClient(String(refreshed.body.access_token));
    expect((await after.callTool({ name: 'whoami', arguments: {} })).structuredContent).toMatchObject({ email: EMAIL });
    expect(text(await after.callTool({ name: 'private_files_read', arguments: { path } }))).toContain('written before the restart');
    await after.close();
  });

  it('refuses a bad token on /mcp with 401, and a wrong password on the sign-in page', async () => {
    const forged = await fetch(RESOURCE, { method: 'POST', headers: { authorization: 'Bearer not-a-token', 'content-type': 'application/json', accept: 'application/json, text/event-stream' }, body: '{}' });
    expect(forged.status).toBe(401);
    expect(forged.headers.get('www-authenticate')).toContain('error="invalid_token"');

    const pending = await (await chatgptClient(ISSUER, RESOURCE)).authorization('files:read');
    const { context, redirects } = await loopbackContext(browser);
    const page = await context.newPage();
    await page.goto(pending.url.href);
    await signIn(page, EMAIL, `${PASSWORD}-wrong`);
    await page.getByRole('alert').waitFor();
    expect(await page.getByRole('heading', { name: 'Sign in' }).isVisible()).toBe(true);
    expect(redirects).toEqual([]);
    await context.close();
  });

  it('runs as a non-root user on a read-only root filesystem, with no dev dependency in the image', () => {
    const probe = compose('exec', '-T', 'auth', 'sh', '-c', 'id -u; touch /app/probe 2>/dev/null && echo writable || echo read-only; ls node_modules/.pnpm');
    const [uid, root, ...packages] = probe.trim().split('\n');
    expect(uid).toBe('1000');
    expect(root).toBe('read-only');
    expect(packages.filter((name) => /^(vitest|tsx|playwright-core|esbuild|autocannon|eslint|typescript|prisma)@/.test(name))).toEqual([]);
    expect(packages.some((name) => name.startsWith('oidc-provider@'))).toBe(true);
  });

  it('the auth image refuses an http ISSUER off loopback under NODE_ENV=production, in one line per problem', () => {
    // The image's own default command and NODE_ENV (podman directly: docker-compose 1.29's `run --no-deps`
    // asks podman's API for container links, which it does not support).
    const env = ['DATABASE_URL=postgres://nobody@127.0.0.1:1/none', `KEY_ENCRYPTION_SECRET=${'k'.repeat(40)}`, 'ISSUER=http://auth.example.com'];
    const run = spawnSync('podman', ['run', '--rm', '--read-only', '--no-healthcheck', ...env.flatMap((pair) => ['-e', pair]), 'omnichat-auth:local'], { encoding: 'utf8' });
    expect(run.status).toBe(1);
    expect(run.stderr.trim().split('\n')).toEqual(['invalid auth configuration:', 'ISSUER: must be https when NODE_ENV=production: auth.example.com is not loopback, and http would carry tokens in clear']);
  });

  it('a migrate run without DATABASE_URL or the secrets volume says so in one line, never a stack trace', () => {
    const run = spawnSync('podman', ['run', '--rm', '--read-only', '--no-healthcheck', 'omnichat-auth:local', 'node', 'packages/db/dist/migrate.mjs'], { encoding: 'utf8' });
    expect(run.status).toBe(1);
    expect(run.stdout).toBe('');
    expect(run.stderr.trim().split('\n')).toEqual(['omnichat: no DATABASE_URL: set it, or start with `docker compose up` (its init-secrets service writes /run/omnichat-secrets/database-url)']);
  });
});
