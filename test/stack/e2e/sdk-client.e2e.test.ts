// The whole product as ChatGPT meets it: the MCP SDK's own client discovers the protected resource
// metadata, the authorization server's metadata, registers (DCR), sends the user through our real
// sign-in and consent pages, redeems the code for a resource-bound token, and calls every tool.
// Both apps run for real on loopback against one migrated Postgres.
import { Client } from '@modelcontextprotocol/sdk/client/index.js';
import { auth } from '@modelcontextprotocol/sdk/client/auth.js';
import { StreamableHTTPClientTransport } from '@modelcontextprotocol/sdk/client/streamableHttp.js';
import { UnauthorizedError } from '@modelcontextprotocol/sdk/client/auth.js';
import { createTestDatabase } from '@omnichat/db/testing';
import { RESOURCE_SCOPES } from '@omnichat/scopes';
import { decodeJwt } from 'jose';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';

import { startAuthServer, createUser, type RunningAuthServer } from '@omnichat/auth/testing';
import { TestBrowser, authorizeInBrowser, CHATGPT_REDIRECT_URI, freePort } from '@omnichat/testkit';
import { startMcpServer, type RunningMcpServer } from '@omnichat/mcp/testing';
import { MemoryProvider } from '../helpers/memory-provider.js';

const EMAIL = 'e2e-user@example.com';
const PASSWORD = 'a perfectly long passphrase';

type Stack = { authServer: RunningAuthServer; mcp: RunningMcpServer; userId: string };

/** `requireAuth` undefined leaves MCP_REQUIRE_AUTH unset: the default configuration. */
async function startStack(databaseUrl: string, requireAuth: boolean | undefined): Promise<Stack> {
  const resourceUrl = `http://127.0.0.1:${await freePort()}/mcp`;
  const authServer = await startAuthServer({ databaseUrl, resourceUrl });
  const userId = await createUser(authServer.prisma, EMAIL, PASSWORD);
  const mcp = await startMcpServer({ databaseUrl, issuer: authServer.issuer, resourceUrl, jwksUrl: `${authServer.issuer}/jwks`, ...(requireAuth === undefined ? {} : { requireAuth }) });
  return { authServer, mcp, userId };
}

/** Plays the user's part: follows the authorization URL through sign-in and consent, returns the code. */
async function userApproves(stack: Stack, provider: MemoryProvider): Promise<string> {
  expect(provider.authorizationUrl, 'the client was sent to authorize').toBeDefined();
  const page = await authorizeInBrowser(new TestBrowser(stack.authServer.issuer), provider.authorizationUrl!, { email: EMAIL, password: PASSWORD });
  const redirect = new URL(page.location ?? 'about:blank');
  expect(`${redirect.origin}${redirect.pathname}`).toBe(CHATGPT_REDIRECT_URI);
  expect(redirect.searchParams.get('iss')).toBe(stack.authServer.issuer);
  const code = redirect.searchParams.get('code');
  expect(code).toBeTruthy();
  return code!;
}

async function connect(stack: Stack, provider: MemoryProvider): Promise<Client> {
  const client = new Client({ name: 'omnichat-e2e', version: '1.0.0' });
  await client.connect(new StreamableHTTPClientTransport(new URL(stack.mcp.url), { authProvider: provider }));
  return client;
}

function text(result: Awaited<ReturnType<Client['callTool']>>): string {
  const content = result.content as Array<{ type: string; text?: string }>;
  return content.map((part) => part.text ?? '').join('\n');
}

/** Calls every tool a linked user can use, checking each acts on this user's data. */
async function exerciseTools(client: Client, stack: Stack): Promise<void> {
  const listed = await client.listTools();
  expect(listed.tools.map((tool) => tool.name)).toEqual(
    expect.arrayContaining(['public_search', 'whoami', 'private_files_list', 'private_files_read', 'private_files_write', 'private_files_delete', 'chat_history', 'chat_search', 'chat_post_message']),
  );

  const me = await client.callTool({ name: 'whoami', arguments: {} });
  expect(me.isError).toBeFalsy();
  expect(me.structuredContent).toMatchObject({ id: stack.userId, email: EMAIL });

  const search = await client.callTool({ name: 'public_search', arguments: { query: 'revoke access' } });
  expect(search.isError).toBeFalsy();
  expect(text(search)).toMatch(/Revoking/i);

  const path = `notes/e2e-${Date.now()}.md`;
  expect((await client.callTool({ name: 'private_files_write', arguments: { path, content: 'hello from the SDK' } })).isError).toBeFalsy();
  expect(text(await client.callTool({ name: 'private_files_list', arguments: {} }))).toContain(path);
  expect(text(await client.callTool({ name: 'private_files_read', arguments: { path } }))).toContain('hello from the SDK');
  expect((await client.callTool({ name: 'private_files_delete', arguments: { path } })).isError).toBeFalsy();
  expect((await client.callTool({ name: 'private_files_read', arguments: { path } })).isError).toBe(true);

  const posted = await client.callTool({ name: 'chat_post_message', arguments: { content: 'ship the e2e test', title: 'E2E' } });
  expect(posted.isError).toBeFalsy();
  expect(text(await client.callTool({ name: 'chat_history', arguments: {} }))).toContain('E2E');
  const { messageId } = posted.structuredContent as { messageId: string };
  expect(text(await client.callTool({ name: 'chat_search', arguments: { query: 'e2e test' } }))).toContain(messageId);
}

describe('MCP SDK client against the real auth and MCP apps', () => {
  let database: Awaited<ReturnType<typeof createTestDatabase>>;
  beforeAll(async () => {
    database = await createTestDatabase();
    await database.prisma.knowledgeArticle.create({
      data: { slug: 'revoking-access', title: 'Revoking access', body: 'Open your account page and press Revoke to disconnect an app.' },
    });
  });
  afterAll(async () => {
    await database.drop();
  });

  it('ChatGPT mixed mode (MCP_REQUIRE_AUTH=false), as before: anonymous handshake and public tool, per-tool challenge, then discovers, registers, signs in, calls every tool, refreshes and calls again', async () => {
    const stack = await startStack(database.url, false);
    try {
      const provider = new MemoryProvider('SDK e2e client');

      // Anonymous use works first: public tools and tools/list need no token in mixed mode.
      const anonymous = new Client({ name: 'openai-mcp', version: '1.0.0' }); // as ChatGPT names itself
      await anonymous.connect(new StreamableHTTPClientTransport(new URL(stack.mcp.url), { authProvider: provider }));
      expect((await anonymous.callTool({ name: 'public_search', arguments: { query: 'revoke' } })).isError).toBeFalsy();
      const locked = await anonymous.callTool({ name: 'whoami', arguments: {} });
      expect(locked.isError).toBe(true);
      const challenge = (locked._meta as Record<string, string[]> | undefined)?.['mcp/www_authenticate']?.[0] ?? '';
      expect(challenge).toContain('error="invalid_token", error_description="Sign in to use this tool"');
      expect(challenge).toContain(`resource_metadata="${new URL('/.well-known/oauth-protected-resource/mcp', stack.mcp.url).href}"`);
      await anonymous.close();

      // "Connect": discovery (PRM → AS metadata), DCR, then the browser step.
      expect(await auth(provider, { serverUrl: stack.mcp.url })).toBe('REDIRECT');
      expect(provider.client?.client_id).toBeTruthy();
      expect(provider.authorizationUrl?.searchParams.get('resource')).toBe(stack.mcp.url);
      expect(provider.authorizationUrl?.searchParams.get('code_challenge_method')).toBe('S256');
      const code = await userApproves(stack, provider);
      expect(await auth(provider, { serverUrl: stack.mcp.url, authorizationCode: code })).toBe('AUTHORIZED');

      const first = provider.saved!;
      const claims = decodeJwt(first.access_token);
      expect(claims).toMatchObject({ iss: stack.authServer.issuer, aud: stack.mcp.url, sub: stack.userId });
      expect(String(claims.scope).split(' ')).toEqual(expect.arrayContaining([...RESOURCE_SCOPES]));
      expect(first.refresh_token).toBeTruthy();

      const client = await connect(stack, provider);
      await exerciseTools(client, stack);
      await client.close();

      // Refresh through the SDK (it refreshes when it holds a refresh token), then call again.
      expect(await auth(provider, { serverUrl: stack.mcp.url })).toBe('AUTHORIZED');
      expect(provider.saved!.access_token).not.toBe(first.access_token);
      expect(provider.saved!.refresh_token).not.toBe(first.refresh_token);
      expect(decodeJwt(provider.saved!.access_token).aud).toBe(stack.mcp.url);
      const again = await connect(stack, provider);
      expect((await again.callTool({ name: 'whoami', arguments: {} })).structuredContent).toMatchObject({ id: stack.userId });
      await again.close();
    } finally {
      await stack.mcp.close();
      await stack.authServer.close();
    }
  });

  it("default configuration (MCP_REQUIRE_AUTH unset): the SDK client's built-in auth starts on the 401, then the session works", async () => {
    const stack = await startStack(database.url, undefined);
    expect(stack.mcp.config.requireAuth).toBe(true);
    try {
      const provider = new MemoryProvider('SDK e2e client');
      const client = new Client({ name: 'omnichat-e2e-strict', version: '1.0.0' });
      const transport = new StreamableHTTPClientTransport(new URL(stack.mcp.url), { authProvider: provider });

      // No token: the server answers 401 with resource_metadata, the SDK runs discovery + DCR and
      // hands us the authorization URL, then reports that the user must authorize.
      await expect(client.connect(transport)).rejects.toBeInstanceOf(UnauthorizedError);
      expect(provider.client?.client_id).toBeTruthy();
      const code = await userApproves(stack, provider);
      await transport.finishAuth(code);
      expect(decodeJwt(provider.saved!.access_token).aud).toBe(stack.mcp.url);

      const linked = await connect(stack, provider);
      await exerciseTools(linked, stack);
      await linked.close();
    } finally {
      await stack.mcp.close();
      await stack.authServer.close();
    }
  });
});
