// Issue 14: MCP clients this project did not write, on the DEFAULT configuration (MCP_REQUIRE_AUTH
// unset), each starting OAuth on the 401 the handshake gets, signing in through our real pages in
// Chromium and calling whoami and a file tool: the TS SDK v1 client, the TS SDK v2 client
// (@modelcontextprotocol/client) and mcp-remote over stdio, as Claude Desktop runs it.
// Issue 15: the SDK v2 client in each of its negotiation modes (legacy = the default, auto, pinned
// 2026-07-28) and the SDK v1 client call every tool, each on the revision it negotiated.
import { mkdtemp, rm } from 'node:fs/promises';
import { createRequire } from 'node:module';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Client as ClientV2, StreamableHTTPClientTransport as TransportV2, UnauthorizedError as UnauthorizedV2 } from '@modelcontextprotocol/client';
import { Client } from '@modelcontextprotocol/sdk/client/index.js';
import { UnauthorizedError } from '@modelcontextprotocol/sdk/client/auth.js';
import { StdioClientTransport } from '@modelcontextprotocol/sdk/client/stdio.js';
import { StreamableHTTPClientTransport } from '@modelcontextprotocol/sdk/client/streamableHttp.js';
import type { Browser } from 'playwright-core';
import { afterAll, beforeAll, expect, it } from 'vitest';

import { createUser, type RunningAuthServer } from '@omnichat/auth/testing';
import { DESKTOP, describeInBrowser, launchChromium, loopbackContext, signIn } from '@omnichat/testkit/chromium';
import { freePort } from '@omnichat/testkit';
import type { RunningMcpServer } from '@omnichat/mcp/testing';
import { MemoryProvider } from '../helpers/memory-provider.js';
import { startStack, type Stack } from '../helpers/stack.js';

const EMAIL = 'real-clients@example.com';
const PASSWORD = 'a perfectly long passphrase';
const MCP_REMOTE_PROXY = createRequire(import.meta.url).resolve('mcp-remote/dist/proxy.js');

/**
 * The shared in-memory provider plus the discovery state SDK v2 keeps (SEP-2352: which authorization
 * server the redirect must come back from); the SDK v1 and v2 clients are given the same one.
 */
class MemoryProviderV1V2 extends MemoryProvider {
  discovery: any;
  saveDiscoveryState(state: unknown) {
    this.discovery = state;
  }
  discoveryState() {
    return this.discovery;
  }
}

let stack: Stack;
let authServer: RunningAuthServer;
let mcp: RunningMcpServer;
let userId: string;
let browser: Browser;

beforeAll(async () => {
  stack = await startStack();
  ({ auth: authServer, mcp } = stack);
  userId = await createUser(authServer.prisma, EMAIL, PASSWORD);
  // No requireAuth: MCP_REQUIRE_AUTH unset, the configuration a new user runs.
  expect(mcp.config.requireAuth).toBe(true);
  browser = await launchChromium();
}, 60_000);

afterAll(async () => {
  await browser?.close();
  await stack?.close();
});

/** The user's part in Chromium: sign in, allow, land on the client's redirect URI. */
async function userSignsIn(authorizationUrl: URL, landsOn: (url: URL) => boolean): Promise<URL> {
  // A context that reaches only loopback; a redirect to ChatGPT's URI is captured, not fetched.
  const { context, redirects } = await loopbackContext(browser, DESKTOP, 10_000);
  try {
    const page = await context.newPage();
    await page.goto(authorizationUrl.href);
    await signIn(page, EMAIL, PASSWORD);
    await page.getByRole('button', { name: 'Allow' }).click();
    await page.waitForURL((url) => landsOn(url));
    return redirects.at(-1) ?? new URL(page.url());
  } finally {
    await context.close();
  }
}

function text(result: object): string {
  return (((result as { content?: unknown }).content ?? []) as Array<{ text?: string }>).map((part) => part.text ?? '').join('\n');
}

/** What every client must manage once signed in: whoami, then a file written and read back. */
async function exercise(client: Pick<Client, 'callTool' | 'listTools'>, label: string): Promise<void> {
  expect((await client.listTools()).tools.map((tool) => tool.name)).toEqual(expect.arrayContaining(['whoami', 'private_files_read']));
  const me = await client.callTool({ name: 'whoami', arguments: {} });
  expect(me.isError).toBeFalsy();
  expect(me.structuredContent).toMatchObject({ id: userId, email: EMAIL });
  const path = `/${label}.md`; // as models write it (issue 14 §5)
  expect((await client.callTool({ name: 'private_files_write', arguments: { path, content: `hello from ${label}` } })).isError).toBeFalsy();
  expect(text(await client.callTool({ name: 'private_files_read', arguments: { path } }))).toBe(`hello from ${label}`);
}

const EVERY_TOOL = [
  'public_search', 'whoami', 'private_files_list', 'private_files_read', 'private_files_write', 'private_files_delete',
  'chat_history', 'chat_search', 'chat_post_message', 'ssh_hosts', 'ssh_execute',
];

/** Every tool once, with what a model would send; each answers a result, none a protocol error. */
async function exerciseEveryTool(client: Pick<Client, 'callTool' | 'listTools'>, label: string): Promise<void> {
  expect((await client.listTools()).tools.map((tool) => tool.name).sort()).toEqual([...EVERY_TOOL].sort());
  const call = async (name: string, args: Record<string, unknown>) => (await client.callTool({ name, arguments: args })) as { isError?: boolean; structuredContent?: any; content?: unknown };
  const ok = async (name: string, args: Record<string, unknown>) => {
    const result = await call(name, args);
    expect(result.isError, `${label} ${name}: ${text(result)}`).toBeFalsy();
    return result;
  };
  expect((await ok('whoami', {})).structuredContent).toMatchObject({ id: userId, email: EMAIL });
  await ok('public_search', { query: 'oauth' });
  const path = `/${label}-all.md`;
  await ok('private_files_write', { path, content: `every tool from ${label}` });
  expect(text(await ok('private_files_list', {}))).toContain(`${label}-all.md`);
  expect(text(await ok('private_files_read', { path }))).toBe(`every tool from ${label}`);
  await ok('private_files_delete', { path });
  const posted = await ok('chat_post_message', { content: `hello ${label}` });
  const conversationId = posted.structuredContent.conversationId as string;
  expect(text(await ok('chat_history', { conversation_id: conversationId }))).toContain(`hello ${label}`);
  await ok('chat_search', { query: label });
  expect((await ok('ssh_hosts', {})).structuredContent).toEqual({ hosts: [] });
  // No host is approved for this user: a tool refusal the model can read, not a protocol error.
  const refused = await call('ssh_execute', { host: 'build-box', command: 'uptime' });
  expect(refused.isError).toBe(true);
}

/** Signs a fresh SDK v2 client in through the real pages, returning its provider (tokens inside). */
async function signInSdkV2(label: string, options: ConstructorParameters<typeof ClientV2>[1]): Promise<MemoryProviderV1V2> {
  const provider = new MemoryProviderV1V2(label);
  const transport = new TransportV2(new URL(mcp.url), { authProvider: provider as never });
  await expect(new ClientV2({ name: label, version: '2.4.0' }, options).connect(transport)).rejects.toBeInstanceOf(UnauthorizedV2);
  const redirect = await userSignsIn(provider.authorizationUrl!, (url) => url.origin === 'https://chatgpt.com');
  await transport.finishAuth(redirect.searchParams);
  return provider;
}

describeInBrowser('real MCP clients sign in on the default configuration', () => {
  it('an unauthenticated initialize gets the 401 challenge that starts their OAuth', async () => {
    const response = await fetch(mcp.url, {
      method: 'POST',
      headers: { 'content-type': 'application/json', accept: 'application/json, text/event-stream' },
      body: JSON.stringify({ jsonrpc: '2.0', id: 1, method: 'initialize', params: { protocolVersion: '2025-11-25', capabilities: {}, clientInfo: { name: 'probe', version: '1' } } }),
    });
    expect(response.status).toBe(401);
    expect(response.headers.get('www-authenticate')).toBe(
      `Bearer resource_metadata="${new URL('/.well-known/oauth-protected-resource/mcp', mcp.url).href}", scope="files:read files:write chat:read chat:write ssh:execute"`,
    );
  });

  it('TS SDK v1 client: connect → 401 → discovery, DCR, sign-in → finishAuth → tools', async () => {
    const provider = new MemoryProviderV1V2('SDK v1');
    const transport = new StreamableHTTPClientTransport(new URL(mcp.url), { authProvider: provider as never });
    await expect(new Client({ name: 'sdk-v1', version: '1.0.0' }).connect(transport)).rejects.toBeInstanceOf(UnauthorizedError);
    expect(provider.authorizationUrl?.searchParams.get('resource')).toBe(mcp.url);
    const redirect = await userSignsIn(provider.authorizationUrl!, (url) => url.origin === 'https://chatgpt.com');
    await transport.finishAuth(redirect.searchParams.get('code')!);

    const client = new Client({ name: 'sdk-v1', version: '1.0.0' });
    await client.connect(new StreamableHTTPClientTransport(new URL(mcp.url), { authProvider: provider as never }));
    await exercise(client, 'sdk-v1');
    await client.close();
  }, 60_000);

  it('TS SDK v2 client (@modelcontextprotocol/client), default negotiation: the same', async () => {
    const provider = new MemoryProviderV1V2('SDK v2');
    const transport = new TransportV2(new URL(mcp.url), { authProvider: provider as never });
    await expect(new ClientV2({ name: 'sdk-v2', version: '2.0.0' }).connect(transport)).rejects.toBeInstanceOf(UnauthorizedV2);
    expect(provider.authorizationUrl?.searchParams.get('resource')).toBe(mcp.url);
    const redirect = await userSignsIn(provider.authorizationUrl!, (url) => url.origin === 'https://chatgpt.com');
    expect(redirect.searchParams.get('iss')).toBe(authServer.issuer);
    await transport.finishAuth(redirect.searchParams);

    const client = new ClientV2({ name: 'sdk-v2', version: '2.0.0' });
    await client.connect(new TransportV2(new URL(mcp.url), { authProvider: provider as never }));
    await exercise(client as unknown as Client, 'sdk-v2');
    await client.close();
  }, 60_000);

  it.each([
    ['legacy (the default)', { versionNegotiation: { mode: 'legacy' } }, 'legacy', '2025-11-25'],
    ['auto', { versionNegotiation: { mode: 'auto' } }, 'modern', '2026-07-28'],
    ['pinned 2026-07-28', { versionNegotiation: { mode: { pin: '2026-07-28' } } }, 'modern', '2026-07-28'],
  ] as const)('TS SDK v2 client, negotiation %s: signs in and calls every tool', async (mode, options, era, revision) => {
    const label = `sdk-v2-${era}-${mode.split(' ')[0]}`;
    const provider = await signInSdkV2(label, options as never);
    const client = new ClientV2({ name: label, version: '2.4.0' }, options as never);
    const transport = new TransportV2(new URL(mcp.url), { authProvider: provider as never });
    await client.connect(transport);
    expect(client.getProtocolEra()).toBe(era);
    expect(client.getNegotiatedProtocolVersion()).toBe(revision);
    await exerciseEveryTool(client as unknown as Client, label.replace(/[^a-z0-9-]/g, ''));
    await client.close();
  }, 90_000);

  it('TS SDK v1 client negotiates 2025-11-25 and calls every tool', async () => {
    const provider = new MemoryProviderV1V2('SDK v1 all');
    const first = new StreamableHTTPClientTransport(new URL(mcp.url), { authProvider: provider as never });
    await expect(new Client({ name: 'sdk-v1-all', version: '1.32.2' }).connect(first)).rejects.toBeInstanceOf(UnauthorizedError);
    const redirect = await userSignsIn(provider.authorizationUrl!, (url) => url.origin === 'https://chatgpt.com');
    await first.finishAuth(redirect.searchParams.get('code')!);
    const client = new Client({ name: 'sdk-v1-all', version: '1.32.2' });
    const transport = new StreamableHTTPClientTransport(new URL(mcp.url), { authProvider: provider as never });
    await client.connect(transport);
    expect(transport.protocolVersion).toBe('2025-11-25');
    await exerciseEveryTool(client, 'sdk-v1-all');
    await client.close();
  }, 90_000);

  it('mcp-remote over stdio (Claude Desktop): prints the authorization URL, receives the callback on its loopback port', async () => {
    const home = await mkdtemp(join(tmpdir(), 'mcp-remote-'));
    const callbackPort = await freePort();
    const transport = new StdioClientTransport({
      command: process.execPath,
      args: [MCP_REMOTE_PROXY, mcp.url, String(callbackPort)],
      // A temporary HOME and config dir: no token or registration leaks into the real ones. No
      // DISPLAY: its browser opener fails and it falls back to printing the URL.
      env: { PATH: process.env['PATH'] ?? '', HOME: home, MCP_REMOTE_CONFIG_DIR: join(home, '.mcp-auth') },
      stderr: 'pipe',
    });
    let stderr = '';
    const authorizationUrl = new Promise<URL>((resolve) => {
      transport.stderr!.on('data', (chunk: Buffer) => {
        stderr += chunk.toString();
        const match = /Please authorize this client by visiting:\s*(\S+)/.exec(stderr);
        if (match?.[1]) resolve(new URL(match[1]));
      });
    });
    const client = new Client({ name: 'claude-desktop-like', version: '1.0.0' });
    try {
      const connected = client.connect(transport);
      const url = await Promise.race([
        authorizationUrl,
        new Promise<never>((_, reject) => setTimeout(() => reject(new Error(`mcp-remote printed no authorization URL:\n${stderr}`)), 30_000)),
      ]);
      expect(url.searchParams.get('redirect_uri')).toBe(`http://localhost:${callbackPort}/oauth/callback`);
      // Chromium follows our redirect to mcp-remote's own callback server, which redeems the code.
      const landed = await userSignsIn(url, (at) => at.host === `localhost:${callbackPort}`);
      expect(landed.pathname).toBe('/oauth/callback');
      await connected;
      await exercise(client, 'mcp-remote');
    } catch (error) {
      throw new Error(`${(error as Error).message}\n--- mcp-remote stderr ---\n${stderr}`, { cause: error });
    } finally {
      await client.close();
      await rm(home, { recursive: true, force: true });
    }
  }, 90_000);
});
