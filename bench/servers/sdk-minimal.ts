// Baseline (c): the MCP SDK v2's minimal documented pattern for a protected server ("Require
// authorization" and "Serve with Express" in the SDK docs): createMcpExpressApp, the SDK's
// requireBearerAuth in front of toNodeHandler(createMcpHandler(factory)), a NEW McpServer per
// request from the factory, ONE trivial tool. Tokens are verified with jose RS256 against the auth
// app's JWKS, as ours are. It serves 2026-07-28 and 2025 requests, so each revision is compared
// with itself.
import { tuneHeapForServer } from '@omnichat/lifecycle';
import { createMcpExpressApp, requireBearerAuth } from '@modelcontextprotocol/express';
import { toNodeHandler } from '@modelcontextprotocol/node';
import { createMcpHandler, McpServer, OAuthError, OAuthErrorCode, type AuthInfo } from '@modelcontextprotocol/server';
import { createRemoteJWKSet, jwtVerify } from 'jose';
import { loadMcpConfig } from '@omnichat/mcp';
import { benchPort, serveBenchIpc } from './server-ipc.js';

// As src/server.ts does for every app process (memory under sustained load).
tuneHeapForServer();

const config = loadMcpConfig({ ...process.env, LOG_LEVEL: 'warn' });
const jwks = createRemoteJWKSet(new URL(config.jwksUrl));

async function verifyAccessToken(token: string): Promise<AuthInfo> {
  try {
    const { payload } = await jwtVerify(token, jwks, { issuer: config.issuer, audience: config.resourceUrl, typ: 'at+jwt', algorithms: ['RS256'] });
    return {
      token,
      clientId: String(payload['client_id']),
      scopes: typeof payload['scope'] === 'string' ? payload['scope'].split(' ') : [],
      expiresAt: payload.exp ?? 0,
      extra: { subject: payload.sub },
    };
  } catch {
    throw new OAuthError(OAuthErrorCode.InvalidToken, 'invalid access token');
  }
}

function buildServer(): McpServer {
  const server = new McpServer({ name: 'baseline-minimal', version: '0.0.0' });
  server.registerTool('whoami', { description: 'Report the authenticated caller' }, async (ctx) => ({
    content: [{ type: 'text', text: String(ctx.http?.authInfo?.extra?.['subject']) }],
  }));
  return server;
}

const app = createMcpExpressApp({ host: '127.0.0.1' });
const auth = requireBearerAuth({ verifier: { verifyAccessToken } });
const node = toNodeHandler(createMcpHandler(buildServer));
app.all('/mcp', auth, (req, res) => void node(req, res, req.body));

const port = benchPort();
const listener = app.listen(port, '127.0.0.1');
await new Promise<void>((resolve) => listener.once('listening', resolve));
serveBenchIpc(port, async () => {
  listener.close();
});
