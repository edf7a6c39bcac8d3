// Baseline (b): the MCP SDK's documented stateless Streamable HTTP pattern (SDK README, "Without
// Session Management"): Express 5, the SDK's `requireBearerAuth`, and a NEW McpServer plus a NEW
// StreamableHTTPServerTransport for every request, with jose RS256 verification against the auth
// app's JWKS. The tools are ours — the same `whoami` and `private_files_read` implementations our
// server runs, on the same Prisma client and pool — so the comparison is the framework around them.
// `enableJsonResponse` answers in JSON as our server does (SSE framing would only slow it down).
import { tuneHeapForServer } from '@omnichat/lifecycle';
import express from 'express';
import pino from 'pino';
import { createRemoteJWKSet, jwtVerify } from 'jose';
import { McpServer } from '@modelcontextprotocol/sdk/server/mcp.js';
import { StreamableHTTPServerTransport } from '@modelcontextprotocol/sdk/server/streamableHttp.js';
import { requireBearerAuth } from '@modelcontextprotocol/sdk/server/auth/middleware/bearerAuth.js';
import { InvalidTokenError } from '@modelcontextprotocol/sdk/server/auth/errors.js';
import type { AuthInfo } from '@modelcontextprotocol/sdk/server/auth/types.js';
import type { CallToolResult } from '@modelcontextprotocol/sdk/types.js';
import type { z } from 'zod';
import { createPrismaClient } from '@omnichat/db';
import { loadMcpConfig } from '@omnichat/mcp';
import type { Principal } from '../../apps/mcp/src/auth/principal.js';
import type { ToolContext, ToolImplementation } from '../../apps/mcp/src/tools/tool-kit.js';
import { ToolError } from '../../apps/mcp/src/tools/tool-kit.js';
import { privateFilesRead } from '../../apps/mcp/src/tools/files/private-files-read.js';
import { whoami } from '../../apps/mcp/src/tools/whoami.js';
import { benchPort, serveBenchIpc } from './server-ipc.js';

// As src/server.ts does for every app process (memory under sustained load).
tuneHeapForServer();

const config = loadMcpConfig({ ...process.env, LOG_LEVEL: 'warn' });
const prisma = createPrismaClient(required('DATABASE_URL'));
const log = pino({ level: 'warn' });
const jwks = createRemoteJWKSet(new URL(config.jwksUrl));

async function verifyAccessToken(token: string): Promise<AuthInfo> {
  try {
    const { payload } = await jwtVerify(token, jwks, { issuer: config.issuer, audience: config.resourceUrl, typ: 'at+jwt', algorithms: ['RS256'] });
    const principal: Principal = {
      subject: String(payload.sub),
      clientId: String(payload['client_id']),
      scopes: typeof payload['scope'] === 'string' ? payload['scope'].split(' ') : [],
      expiresAt: payload.exp ?? 0,
    };
    return { token, clientId: principal.clientId, scopes: [...principal.scopes], expiresAt: principal.expiresAt, extra: { principal } };
  } catch {
    throw new InvalidTokenError('invalid access token');
  }
}

/** Our tool, registered the documented way (registerTool with its zod shape). */
function register(server: McpServer, tool: ToolImplementation<z.ZodObject>): void {
  server.registerTool(tool.name, { title: tool.title, description: tool.description, inputSchema: tool.input.shape }, async (args, extra): Promise<CallToolResult> => {
    const context: ToolContext = { principal: (extra.authInfo?.extra?.['principal'] as Principal) ?? null, prisma, log, config };
    try {
      const outcome = await tool.run(args, context);
      return { content: [{ type: 'text', text: outcome.text }], ...(outcome.structured ? { structuredContent: outcome.structured } : {}) };
    } catch (error) {
      if (error instanceof ToolError) return { isError: true, content: [{ type: 'text', text: error.message }] };
      throw error;
    }
  });
}

function getServer(): McpServer {
  const server = new McpServer({ name: 'baseline', version: '0.0.0' });
  register(server, whoami);
  register(server, privateFilesRead);
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
