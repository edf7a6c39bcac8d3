// The whole story with nothing mocked: an MCP client (the MCP SDK's own OAuth client, shaped
// like ChatGPT's connector) discovers and registers, the user — who has no password here — clicks
// "Continue with Acme SSO" in Chromium, signs in at a real second OpenID provider, comes back,
// consents, and the client's token calls /mcp. The account is created just in time and whoami says
// the IdP verified its email.
import { auth } from '@modelcontextprotocol/sdk/client/auth.js';
import { Client } from '@modelcontextprotocol/sdk/client/index.js';
import { StreamableHTTPClientTransport } from '@modelcontextprotocol/sdk/client/streamableHttp.js';
import type { TestDatabase } from '@omnichat/db/testing';
import { addIdentityProvider, parseIdpSettings } from '@omnichat/sso';
import { startUpstreamIdp, type UpstreamIdp } from '@omnichat/sso/testing';
import { decodeJwt } from 'jose';
import type { Browser } from 'playwright-core';
import { afterAll, beforeAll, expect, it } from 'vitest';

import { describeInBrowser, launchChromium, loopbackContext } from '@omnichat/testkit/chromium';
import { TEST_KEY_ENCRYPTION_SECRET, type RunningAuthServer } from '@omnichat/auth/testing';
import type { RunningMcpServer } from '@omnichat/mcp/testing';
import { MemoryProvider } from '../helpers/memory-provider.js';
import { startStack, type Stack } from '../helpers/stack.js';

describeInBrowser('MCP client linked through the company IdP (SSO, JIT), then /mcp', () => {
  let stack: Stack;
  let db: TestDatabase;
  let authServer: RunningAuthServer;
  let mcp: RunningMcpServer;
  let idp: UpstreamIdp;
  let browser: Browser;

  beforeAll(async () => {
    stack = await startStack({ authEnv: { PASSWORD_SIGN_IN: 'false' } });
    ({ database: db, auth: authServer, mcp } = stack);
    idp = await startUpstreamIdp({ redirectUris: [`${authServer.issuer}/sso/acme/callback`], accounts: { 'employee-42': { email: 'kim@acme.example', email_verified: true } } });
    const settings = parseIdpSettings({ slug: 'acme', issuer: idp.issuer, clientId: idp.clientId, label: 'Acme SSO', allowedDomains: ['acme.example'] }, { production: false });
    await addIdentityProvider(db.prisma, settings, idp.clientSecret, TEST_KEY_ENCRYPTION_SECRET);
    browser = await launchChromium();
  });

  afterAll(async () => {
    await browser?.close();
    await stack?.close();
    await idp?.close();
  });

  it('authorize → our sign-in → Continue with Acme SSO → IdP login/consent → back → consent → code → token → tools/call', async () => {
    const provider = new MemoryProvider();
    expect(await auth(provider, { serverUrl: mcp.url })).toBe('REDIRECT');
    const { context, redirects } = await loopbackContext(browser);
    const page = await context.newPage();
    await page.goto(provider.authorizationUrl!.href);
    // PASSWORD_SIGN_IN=false: the IdP is the only way in.
    expect(await page.getByLabel('Password', { exact: true }).count()).toBe(0);
    await page.getByRole('button', { name: 'Continue with Acme SSO' }).click();

    await page.waitForURL((url) => url.origin === idp.issuer);
    await page.locator('input[name=login]').fill('employee-42');
    await page.locator('input[name=password]').fill('whatever the IdP checks');
    await page.getByRole('button', { name: 'Sign-in' }).click();
    await page.getByRole('button', { name: 'Continue' }).click();

    await page.getByRole('heading', { name: 'ChatGPT wants to access your OmniChat account' }).waitFor();
    await page.getByRole('button', { name: 'Allow' }).click();
    await expect.poll(() => redirects.length, { timeout: 10_000 }).toBe(1);
    const redirect = redirects[0] as URL;
    expect(redirect.searchParams.get('iss')).toBe(authServer.issuer);
    expect(await auth(provider, { serverUrl: mcp.url, authorizationCode: redirect.searchParams.get('code') ?? '' })).toBe('AUTHORIZED');
    await context.close();

    const user = await db.prisma.user.findUniqueOrThrow({ where: { email: 'kim@acme.example' } });
    expect(user.passwordHash).toBeNull();
    expect(decodeJwt(provider.saved!.access_token)).toMatchObject({ sub: user.id, aud: mcp.url, iss: authServer.issuer });

    const client = new Client({ name: 'openai-mcp', version: '1.0.0' });
    await client.connect(new StreamableHTTPClientTransport(new URL(mcp.url), { authProvider: provider }));
    const me = await client.callTool({ name: 'whoami', arguments: {} });
    expect(me.isError).toBeFalsy();
    expect(me.structuredContent).toMatchObject({ id: user.id, email: 'kim@acme.example', email_verified: true });
    await client.close();
  });
});
