// Baseline (b): the MCP SDK's documented stateless Streamable HTTP pattern (SDK README, "Without
// Session Management"): Express 5, the SDK's `requireBearerAuth`, and a NEW McpServer plus a NEW
// StreamableHTTPServerTransport for every request, with the same tools as ours and jose RS256
// verification against the auth app's JWKS. `enableJsonResponse` answers in JSON as our server
// does (the default SSE framing would only make this baseline slower).
import express from 'express';
import { createRemoteJWKSet, jwtVerify } from 'jose';
import { McpServer } from '@modelcontextprotocol/sdk/server/mcp.js';
import { StreamableHTTPServerTransport } from '@modelcontextprotocol/sdk/server/streamableHttp.js';
import { requireBearerAuth } from '@modelcontextprotocol/sdk/server/auth/middleware/bearerAuth.js';
import { InvalidTokenError } from '@modelcontextprotocol/sdk/server/auth/errors.js';
import type { AuthInfo } from '@modelcontextprotocol/sdk/server/auth/types.js';
import { z } from 'zod';
import { createPrismaClient } from '@omnichat/db';
import { benchPort, serveBenchIpc } from './server-ipc.js';

const issuer = required('ISSUER');
const resource = required('RESOURCE_URL');
const prisma = createPrismaClient(required('DATABASE_URL'));
const jwks = createRemoteJWKSet(new URL(`${issuer}/jwks`));

async function verifyAccessToken(token: string): Promise<AuthInfo> {
  try {
    const { payload } = await jwtVerify(token, jwks, { issuer, audience: resource, typ: 'at+jwt', algorithms: ['RS256'] });
    return {
      token,
      clientId: String(payload['client_id']),
      scopes: typeof payload['scope'] === 'string' ? payload['scope'].split(' ') : [],
      ...(payload.exp ? { expiresAt: payload.exp } : {}),
      extra: { sub: payload.sub },
    };
  } catch {
    throw new InvalidTokenError('invalid access token');
  }
}

function getServer(): McpServer {
  const server = new McpServer({ name: 'baseline', version: '0.0.0' });
  server.registerTool('whoami', { description: 'Who am I', inputSchema: {} }, async (_args, extra) => {
    const profile = { id: String(extra.authInfo?.extra?.['sub']), scopes: extra.authInfo?.scopes ?? [] };
    return { content: [{ type: 'text', text: JSON.stringify(profile) }], structuredContent: profile };
  });
  server.registerTool('private_files_read', { description: 'Read a file', inputSchema: { path: z.string().min(1).max(512) } }, async ({ path }, extra) => {
    const userId = String(extra.authInfo?.extra?.['sub']);
    const file = await prisma.file.findUnique({ where: { userId_path: { userId, path } }, select: { path: true, content: true } });
    if (!file) return { isError: true, content: [{ type: 'text', text: `File not found: ${path}` }] };
    return { content: [{ type: 'text', text: file.content }] };
  });
  return server;
}

const app = express();
app.use(express.json());
app.post('/mcp', requireBearerAuth({ verifier: { verifyAccessToken } }), async (req, res) => {
  const server = getServer();
  const transport = new StreamableHTTPServerTransport({ sessionIdGenerator: undefined, enableJsonResponse: true });
  res.on('close', () => {
    void transport.close();
    void server.close();
  });
  await server.connect(transport);
  await transport.handleRequest(req, res, req.body);
});

const port = benchPort();
const listener = app.listen(port, '127.0.0.1');
await new Promise<void>((resolve) => listener.once('listening', resolve));
serveBenchIpc(port, async () => {
  listener.close();
  await prisma.$disconnect();
});

function required(name: string): string {
  const value = process.env[name];
  if (!value) throw new Error(`${name} is not set`);
  return value;
}
