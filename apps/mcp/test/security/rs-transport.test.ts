/**
 * docs/security.md §B rows about the /mcp transport, per-tool scopes and what leaves the server:
 * RS-01, RS-17..RS-20, RS-22 (body), RS-24, RS-25. Real app, real Postgres, raw HTTP.
 */
import { randomUUID } from 'node:crypto';
import { Writable } from 'node:stream';
import { RESOURCE_SCOPES } from '@omnichat/scopes';
import pino from 'pino';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { buildMcpApp, loadMcpConfig } from '../../src/index.js';
import { requiredScopes } from '../../src/tools/security-schemes.js';
import { TOOL_REGISTRY } from '../../src/tools/registry.js';
import { startTestBed, TEST_ISSUER, type McpTestBed } from '../helpers/fixtures.js';
import { freePort, callTool, initializeMessage, postMcp, rpc } from '@omnichat/testkit';
import { localKeySet, mintAccessToken } from '../helpers/test-keys.js';

let bed: McpTestBed;
beforeAll(async () => {
  bed = await startTestBed({ requireAuth: false }); // mixed mode: anonymous calls exercise the rest
});
afterAll(async () => bed?.close());

const sideEffects = async (userId: string) =>
  (await bed.prisma.file.count({ where: { userId } })) + (await bed.prisma.conversation.count({ where: { userId } }));

describe('docs/security.md B: transport and tool access', () => {
  it('RS-01 no credentials in strict mode: 401 with resource_metadata and no error code', async () => {
    const strict = await startTestBed({ requireAuth: true });
    try {
      const reply = await postMcp(strict.server.url, initializeMessage());
      expect(reply.status).toBe(401);
      expect(reply.headers.get('www-authenticate')).toBe(
        `Bearer resource_metadata="${strict.prmUrl}", scope="${RESOURCE_SCOPES.join(' ')}"`,
      );
      expect(reply.headers.get('www-authenticate')).not.toContain('error=');
    } finally {
      await strict.close();
    }
  });

  it('RS-17 insufficient_scope across the full tool × scope matrix: the challenge names the scopes, the tool does not run', async () => {
    const protectedTools = TOOL_REGISTRY.filter((entry) => entry.access.kind === 'scopes');
    expect(protectedTools.length).toBeGreaterThan(0);
    for (const scope of RESOURCE_SCOPES) {
      const user = await bed.createUser();
      const token = await bed.token(user, scope);
      const results = await Promise.all(
        protectedTools.map(({ tool }) => callTool(bed.server.url, tool.name, { path: 'm.txt', content: 'x' }, token)),
      );
      for (const [index, { tool, access }] of protectedTools.entries()) {
        const needed = requiredScopes(access);
        const result = results[index]!;
        const challenge = (result._meta?.['mcp/www_authenticate'] as string[] | undefined)?.[0];
        if (needed.every((s) => s === scope)) {
          expect(challenge, `${tool.name} with ${scope}`).toBeUndefined();
        } else {
          expect(challenge, `${tool.name} with ${scope}`).toBe(
            `Bearer resource_metadata="${bed.prmUrl}", error="insufficient_scope", error_description="The access token lacks a scope this call needs", scope="${needed.join(' ')}"`,
          );
        }
      }
      // Only tools whose scope this token carries may have written anything.
      if (scope !== 'files:write' && scope !== 'chat:write') expect(await sideEffects(user), scope).toBe(0);
    }
  });

  it('RS-18 scope bypass through a batch: the whole batch is refused and nothing runs', async () => {
    const user = await bed.createUser();
    const token = await bed.token(user, 'files:read');
    const batch = [
      rpc('tools/call', { name: 'private_files_read', arguments: { path: 'a' } }),
      rpc('tools/call', { name: 'private_files_write', arguments: { path: 'a', content: 'pwned' } }),
      rpc('tools/call', { name: 'ssh_execute', arguments: { host: 'h', command: 'id' } }),
    ];
    const reply = await postMcp(bed.server.url, batch, { token });
    expect(reply.status).toBe(400);
    expect(reply.body).toEqual({ jsonrpc: '2.0', id: null, error: { code: -32600, message: 'Invalid Request: JSON-RPC batches are not supported' } });
    expect(await sideEffects(user)).toBe(0);
  });

  it('RS-19 batch abuse: a 10 000-element batch within 1 MiB is refused at once with 400', async () => {
    const batch = JSON.stringify(Array.from({ length: 10_000 }, (_, i) => ({ jsonrpc: '2.0', id: i, method: 'tools/call', params: { name: 'whoami' } })));
    expect(batch.length).toBeLessThan(1024 * 1024);
    const started = performance.now();
    const reply = await postMcp(bed.server.url, batch, { token: await bed.token(randomUUID()) });
    expect(reply.status).toBe(400);
    expect(reply.body.error.code).toBe(-32600);
    expect(performance.now() - started).toBeLessThan(2_000);
  });

  it('RS-22 oversized body: a 5 MiB JSON body gets 413 and the server keeps serving', async () => {
    const body = JSON.stringify({ jsonrpc: '2.0', id: 1, method: 'ping', params: { pad: 'x'.repeat(5 * 1024 * 1024) } });
    const reply = await postMcp(bed.server.url, body);
    expect(reply.status).toBe(413);
    expect(reply.body).toEqual({ jsonrpc: '2.0', id: null, error: { code: -32000, message: 'Payload too large' } });
    expect((await postMcp(bed.server.url, rpc('ping'))).status).toBe(200);
  });

  it('RS-24 session hijacking does not apply: no Mcp-Session-Id is issued and a forged one grants nothing', async () => {
    const init = await postMcp(bed.server.url, initializeMessage());
    expect(init.headers.get('mcp-session-id')).toBeNull();
    // A request carrying someone's "session" is still judged only by its own token (or lack of one).
    const reply = await postMcp(bed.server.url, rpc('tools/call', { name: 'whoami', arguments: {} }), {
      headers: { 'mcp-session-id': randomUUID() },
    });
    expect(reply.body.result.isError).toBe(true);
    expect(reply.body.result._meta['mcp/www_authenticate'][0]).toContain('Sign in to use this tool');
  });

  it('RS-25 PRM consistency: resource equals the tokens\' aud byte for byte, one authorization server, resource scopes only', async () => {
    const document = (await (await fetch(bed.prmUrl)).json()) as Record<string, unknown>;
    expect(document['resource']).toBe(bed.server.url);
    expect(document['resource']).toBe(bed.server.config.resourceUrl);
    expect(document['authorization_servers']).toEqual([TEST_ISSUER]);
    expect(document['scopes_supported']).toEqual([...RESOURCE_SCOPES]);
    expect(document['bearer_methods_supported']).toEqual(['header']);
    // A token whose aud is exactly that string is accepted (the other direction is RS-12).
    expect((await postMcp(bed.server.url, initializeMessage(), { token: await bed.token(randomUUID()) })).status).toBe(200);
  });
});

describe('RS-20 token passthrough', () => {
  it('RS-20 the bearer token never reaches the logs (trace level) nor any outbound request', async () => {
    const lines: string[] = [];
    const sink = new Writable({
      write(chunk, _encoding, done) {
        lines.push(String(chunk));
        done();
      },
    });
    const resourceUrl = `http://127.0.0.1:${await freePort()}/mcp`;
    const config = loadMcpConfig({ ISSUER: TEST_ISSUER, RESOURCE_URL: resourceUrl, LOG_LEVEL: 'trace' });
    const app = await buildMcpApp(config, {
      prisma: bed.prisma,
      getKey: localKeySet(bed.key),
      loggerInstance: pino({ level: 'trace' }, sink),
    });
    const originalFetch = globalThis.fetch;
    const outbound: string[] = [];
    await app.listen({ host: '127.0.0.1', port: Number(new URL(resourceUrl).port) });
    try {
      const user = await bed.createUser();
      const token = await mintAccessToken(bed.key, {
        issuer: TEST_ISSUER, audience: resourceUrl, subject: user, scope: RESOURCE_SCOPES.join(' '), claims: { gid: await bed.grant() },
      });
      // Any fetch the server makes while handling our calls is recorded (the test's own go through originalFetch).
      globalThis.fetch = (async (input: Parameters<typeof fetch>[0], init?: RequestInit) => {
        outbound.push(`${String(input)} ${JSON.stringify(init?.headers ?? {})}`);
        return originalFetch(input, init);
      }) as typeof fetch;
      const call = (name: string, args: Record<string, unknown>) =>
        originalFetch(resourceUrl, {
          method: 'POST',
          headers: { 'content-type': 'application/json', accept: 'application/json, text/event-stream', authorization: `Bearer ${token}` },
          body: JSON.stringify(rpc('tools/call', { name, arguments: args })),
        });
      for (const { tool } of TOOL_REGISTRY) await call(tool.name, { path: 'p.txt', content: 'c', query: 'q' });
      // A refused token is logged with its reason, never its value.
      await originalFetch(`${resourceUrl}?access_token=${token}`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: '{}' });
      expect(lines.length).toBeGreaterThan(0);
      const signature = token.split('.')[2]!;
      expect(lines.join('\n')).not.toContain(signature);
      expect(lines.join('\n').toLowerCase()).not.toContain('authorization');
      expect(outbound.filter((entry) => entry.includes(signature))).toEqual([]);
    } finally {
      globalThis.fetch = originalFetch;
      await app.close();
    }
  });

  it('RS-20 the production logger reduces what a handler logs under req, res or headers to what is safe', async () => {
    const lines: string[] = [];
    const config = loadMcpConfig({ ISSUER: TEST_ISSUER, RESOURCE_URL: `http://127.0.0.1:${await freePort()}/mcp`, LOG_LEVEL: 'info' });
    const app = await buildMcpApp(config, { prisma: bed.prisma, getKey: localKeySet(bed.key), logStream: { write: (line) => void lines.push(line) } });
    try {
      const secret = `secret-${randomUUID()}`;
      const headers = { authorization: `Bearer ${secret}`, Cookie: `sid=${secret}`, 'set-cookie': `sid=${secret}`, dpop: secret, 'user-agent': 'kept' };
      app.log.info({ req: { method: 'POST', url: `/mcp?access_token=${secret}`, headers }, res: { statusCode: 200, headers }, headers }, 'a handler logs what it should not');
      app.log.info({ headers: `Authorization: Bearer ${secret}` }, 'headers as text');
      const logged = lines.map((line) => JSON.parse(line));
      expect(lines.join('\n')).not.toContain(secret);
      expect(logged[0]).toMatchObject({ req: { method: 'POST', url: '/mcp' }, res: { statusCode: 200 }, headers: { 'user-agent': 'kept' } });
      expect(logged[1].headers).toBe('[not logged]');
    } finally {
      await app.close();
    }
  });
});
