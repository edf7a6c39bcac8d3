import { request as httpRequest } from 'node:http';
import { randomUUID } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startTestBed, TEST_ISSUER, type McpTestBed } from './helpers/fixtures.js';
import { initializeMessage, postMcp, PROTOCOL_VERSION, rpc } from '@omnichat/testkit';

let bed: McpTestBed;
beforeAll(async () => {
  bed = await startTestBed({ requireAuth: false }); // mixed mode: anonymous calls exercise the rest
});
afterAll(async () => bed?.close());

describe('protected resource metadata (RFC 9728)', () => {
  it.each([['/.well-known/oauth-protected-resource/mcp'], ['/.well-known/oauth-protected-resource']])(
    'serves the same document at %s',
    async (path) => {
      const response = await fetch(`${bed.server.origin}${path}`);
      expect(response.status).toBe(200);
      expect(response.headers.get('content-type')).toMatch(/^application\/json/);
      expect(await response.json()).toEqual({
        resource: bed.server.url,
        authorization_servers: [TEST_ISSUER],
        scopes_supported: ['files:read', 'files:write', 'chat:read', 'chat:write', 'ssh:execute'],
        bearer_methods_supported: ['header'],
        dpop_signing_alg_values_supported: ['ES256', 'ES384', 'PS256', 'RS256', 'EdDSA', 'Ed25519'],
        resource_name: 'OmniChat',
        resource_documentation: `${bed.server.origin}/docs`,
      });
    },
  );

  it('serves the documentation it points to', async () => {
    const response = await fetch(`${bed.server.origin}/docs`);
    expect(response.status).toBe(200);
    expect(await response.text()).toContain('private_files_write');
  });

  it('answers CORS for allowed origins only', async () => {
    const allowed = await fetch(`${bed.server.origin}/.well-known/oauth-protected-resource/mcp`, {
      headers: { origin: 'https://chatgpt.com' },
    });
    expect(allowed.headers.get('access-control-allow-origin')).toBe('https://chatgpt.com');
    const other = await fetch(`${bed.server.origin}/.well-known/oauth-protected-resource/mcp`, {
      headers: { origin: 'https://evil.example' },
    });
    expect(other.headers.get('access-control-allow-origin')).toBeNull();
  });
});

describe('CORS on /mcp', () => {
  it('answers a preflight without a token, never with 401', async () => {
    const response = await fetch(bed.server.url, {
      method: 'OPTIONS',
      headers: {
        origin: 'https://chatgpt.com',
        'access-control-request-method': 'POST',
        'access-control-request-headers': 'authorization, content-type, mcp-protocol-version',
      },
    });
    expect(response.status).toBe(204);
    expect(response.headers.get('access-control-allow-origin')).toBe('https://chatgpt.com');
    expect(response.headers.get('access-control-allow-headers')?.toLowerCase()).toContain('authorization');
    expect(response.headers.get('access-control-allow-methods')).toContain('POST');
  });

  it('lets browsers read WWW-Authenticate on a 401', async () => {
    const reply = await postMcp(bed.server.url, initializeMessage(), {
      token: 'not-a-jwt',
      headers: { origin: 'https://chatgpt.com' },
    });
    expect(reply.status).toBe(401);
    expect(reply.headers.get('access-control-allow-origin')).toBe('https://chatgpt.com');
    expect(reply.headers.get('access-control-expose-headers')).toContain('WWW-Authenticate');
  });
});

describe('Streamable HTTP transport, stateless', () => {
  it('initializes without a token in mixed mode, with no session id', async () => {
    const reply = await postMcp(bed.server.url, initializeMessage(7));
    expect(reply.status).toBe(200);
    expect(reply.headers.get('mcp-session-id')).toBeNull();
    expect(reply.body).toMatchObject({
      jsonrpc: '2.0',
      id: 7,
      result: { protocolVersion: PROTOCOL_VERSION, capabilities: { tools: { listChanged: false } }, serverInfo: { name: 'omnichat' } },
    });
  });

  it('answers ping and refuses unknown methods the JSON-RPC way', async () => {
    expect((await postMcp(bed.server.url, rpc('ping', undefined, 'p'))).body).toEqual({ jsonrpc: '2.0', id: 'p', result: {} });
    const unknown = await postMcp(bed.server.url, rpc('nope/nope', undefined, 3));
    expect(unknown.status).toBe(200);
    expect(unknown.body).toEqual({ jsonrpc: '2.0', id: 3, error: { code: -32601, message: 'Method not found' } });
  });

  it('accepts a notification with 202 and no body', async () => {
    const response = await fetch(bed.server.url, {
      method: 'POST',
      headers: { 'content-type': 'application/json', accept: 'application/json, text/event-stream' },
      body: JSON.stringify({ jsonrpc: '2.0', method: 'notifications/initialized' }),
    });
    expect(response.status).toBe(202);
    expect(await response.text()).toBe('');
  });

  it.each([['GET'], ['DELETE']])('answers %s with 405 and Allow: POST', async (method) => {
    const response = await fetch(bed.server.url, { method, headers: { accept: 'text/event-stream' } });
    expect(response.status).toBe(405);
    expect(response.headers.get('allow')).toBe('POST');
    expect(((await response.json()) as { error: { code: number } }).error.code).toBe(-32000);
  });

  it.each([
    ['a batch', JSON.stringify([rpc('ping'), rpc('ping')]), {}, 400, -32600],
    ['invalid JSON', '{"jsonrpc":', {}, 400, -32700],
    ['an empty body', '', {}, 400, -32700],
    ['a non-JSON-RPC body', JSON.stringify({ hello: 'world' }), {}, 400, -32600],
    ['a wrong media type', 'x', { 'content-type': 'text/plain' }, 415, -32000],
    ['no text/event-stream in Accept', JSON.stringify(rpc('ping')), { accept: 'application/json' }, 406, -32000],
    ['a 5 MiB body', JSON.stringify({ jsonrpc: '2.0', id: 1, method: 'ping', params: { pad: 'x'.repeat(5 * 1024 * 1024) } }), {}, 413, -32000],
  ])('refuses %s', async (_name, body, headers, status, code) => {
    const reply = await postMcp(bed.server.url, body, { headers: headers as Record<string, string> });
    expect(reply.status).toBe(status);
    expect(reply.body).toMatchObject({ jsonrpc: '2.0', id: null, error: { code } });
  });

  it('refuses an unsupported protocol version with the spec error listing the supported ones', async () => {
    const reply = await postMcp(bed.server.url, rpc('ping', undefined, 5), { headers: { 'mcp-protocol-version': '1999-01-01' } });
    expect(reply.status).toBe(400);
    expect(reply.body).toEqual({
      jsonrpc: '2.0',
      id: 5,
      error: {
        code: -32022,
        message: 'Unsupported protocol version: 1999-01-01',
        data: { supported: ['2026-07-28', '2025-11-25', '2025-06-18'], requested: '1999-01-01' },
      },
    });
  });

  it('keeps concurrent requests with the same JSON-RPC id apart', async () => {
    const users = await Promise.all(Array.from({ length: 12 }, () => bed.createUser()));
    const replies = await Promise.all(
      users.map(async (user) =>
        postMcp(bed.server.url, rpc('tools/call', { name: 'whoami', arguments: {} }, 1), { token: await bed.token(user) }),
      ),
    );
    replies.forEach((reply, index) => {
      expect(reply.body.id).toBe(1);
      expect(reply.body.result.structuredContent.id).toBe(users[index]);
    });
  });
});

describe('DNS-rebinding protection (docs/security.md RS-23)', () => {
  it('refuses a foreign Origin with 403', async () => {
    const reply = await postMcp(bed.server.url, initializeMessage(), { headers: { origin: 'https://evil.example' } });
    expect(reply.status).toBe(403);
    expect(reply.body).toEqual({ jsonrpc: '2.0', id: null, error: { code: -32000, message: 'Forbidden: Invalid Origin header: https://evil.example' } });
  });

  it.each([['https://chatgpt.com'], ['https://platform.openai.com']])('accepts the allowed Origin %s', async (origin) => {
    expect((await postMcp(bed.server.url, initializeMessage(), { headers: { origin } })).status).toBe(200);
  });

  it('accepts its own origin', async () => {
    expect((await postMcp(bed.server.url, initializeMessage(), { headers: { origin: bed.server.origin } })).status).toBe(200);
  });

  it('refuses a foreign Host with 403', async () => {
    const url = new URL(bed.server.url);
    const status = await new Promise<number>((resolve, reject) => {
      const req = httpRequest(
        {
          host: url.hostname,
          port: url.port,
          path: url.pathname,
          method: 'POST',
          headers: { host: 'evil.example', 'content-type': 'application/json', accept: 'application/json, text/event-stream' },
        },
        (res) => {
          res.resume();
          resolve(res.statusCode ?? 0);
        },
      );
      req.on('error', reject);
      req.end(JSON.stringify(initializeMessage()));
    });
    expect(status).toBe(403);
  });
});

describe('health', () => {
  it('is live and ready', async () => {
    expect((await fetch(`${bed.server.origin}/healthz`)).status).toBe(200);
    expect(await (await fetch(`${bed.server.origin}/readyz`)).json()).toEqual({ status: 'ok' });
  });

  it('never serves unknown paths', async () => {
    expect((await fetch(`${bed.server.origin}/${randomUUID()}`)).status).toBe(404);
  });
});
