import { readFileSync } from 'node:fs';

import { Client } from '@modelcontextprotocol/sdk/client/index.js';
import { StreamableHTTPClientTransport } from '@modelcontextprotocol/sdk/client/streamableHttp.js';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startTestBed, type McpTestBed } from './helpers/fixtures.js';

const ROOT_VERSION = (JSON.parse(readFileSync(new URL('../../../package.json', import.meta.url), 'utf8')) as { version: string }).version;

let bed: McpTestBed;
beforeAll(async () => {
  bed = await startTestBed({ requireAuth: false }); // mixed mode: anonymous calls exercise the rest
});
afterAll(async () => bed?.close());

async function connect(token?: string): Promise<Client> {
  const client = new Client({ name: 'sdk-test', version: '1.0.0' });
  const transport = new StreamableHTTPClientTransport(new URL(bed.server.url), {
    ...(token ? { requestInit: { headers: { authorization: `Bearer ${token}` } } } : {}),
  });
  await client.connect(transport);
  return client;
}

describe('the MCP SDK client against /mcp', () => {
  it('initializes, lists tools and calls a public tool without a token', async () => {
    const client = await connect();
    try {
      // serverInfo.version is the root package.json's, the one version of the project.
      expect(client.getServerVersion()).toMatchObject({ name: 'omnichat', version: ROOT_VERSION });
      const { tools } = await client.listTools();
      expect(tools.map((tool) => tool.name)).toContain('public_search');
      const result = await client.callTool({ name: 'public_search', arguments: { query: 'anything' } });
      expect(result.isError).toBeFalsy();
    } finally {
      await client.close();
    }
  });

  it('calls protected tools with a token, validating whoami against its output schema', async () => {
    const user = await bed.createUser('sdk@example.com');
    const client = await connect(await bed.token(user, 'files:read files:write chat:read chat:write'));
    try {
      const me = await client.callTool({ name: 'whoami', arguments: {} });
      expect(me.structuredContent).toEqual({
        id: user,
        email: 'sdk@example.com',
        // The fixture's account was never verified (no admin, no IdP vouched for it).
        email_verified: false,
        scopes: ['files:read', 'files:write', 'chat:read', 'chat:write'],
      });

      await client.callTool({ name: 'private_files_write', arguments: { path: 'sdk/hello.txt', content: 'hello' } });
      const read = await client.callTool({ name: 'private_files_read', arguments: { path: 'sdk/hello.txt' } });
      expect(read.content).toEqual([{ type: 'text', text: 'hello' }]);

      const posted = await client.callTool({ name: 'chat_post_message', arguments: { content: 'from the SDK' } });
      const conversationId = (posted.structuredContent as { conversationId: string }).conversationId;
      const history = await client.callTool({ name: 'chat_history', arguments: { conversation_id: conversationId } });
      expect((history.structuredContent as { messages: Array<{ content: string }> }).messages[0]!.content).toBe('from the SDK');

      expect(await client.ping()).toEqual({});
    } finally {
      await client.close();
    }
  });

  it('sees the sign-in challenge as a tool result without a token', async () => {
    const client = await connect();
    try {
      const result = await client.callTool({ name: 'private_files_list', arguments: {} });
      expect(result.isError).toBe(true);
      expect(result._meta?.['mcp/www_authenticate']).toEqual([expect.stringContaining('scope="files:read"')]);
    } finally {
      await client.close();
    }
  });
});
