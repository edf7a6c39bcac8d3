/**
 * Fuzzed MCP JSON-RPC bodies (docs/security.md, fuzzing): whatever arrives at /mcp, the answer is never a 5xx,
 * never shows a stack trace or internals, and never hangs. Bounded runs against the real app on
 * real Postgres; fast-check prints the seed and the shrunk body of any failure.
 */
import * as fc from 'fast-check';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { TOOL_REGISTRY } from '../../src/tools/registry.js';
import { startTestBed, type McpTestBed } from '../helpers/fixtures.js';

const RUNS = 120;
const REQUEST_TIMEOUT_MS = 5_000;
const INTERNALS = /\bat [\w.<>]+ \(|\.ts:\d+|\.js:\d+|node_modules|prisma|PrismaClient|ECONNREFUSED|stack/i;

let bed: McpTestBed;
let token: string;

beforeAll(async () => {
  bed = await startTestBed();
  token = await bed.token(await bed.createUser(), 'files:read files:write chat:read chat:write');
});
afterAll(async () => bed?.close());

async function post(body: string, withToken: boolean): Promise<{ status: number; text: string }> {
  const response = await fetch(bed.server.url, {
    method: 'POST',
    headers: {
      'content-type': 'application/json',
      accept: 'application/json, text/event-stream',
      ...(withToken ? { authorization: `Bearer ${token}` } : {}),
    },
    body,
    signal: AbortSignal.timeout(REQUEST_TIMEOUT_MS),
  });
  return { status: response.status, text: await response.text() };
}

function expectClean(reply: { status: number; text: string }, body: string) {
  expect(reply.status, body.slice(0, 500)).toBeLessThan(500);
  expect(reply.text, body.slice(0, 500)).not.toMatch(INTERNALS);
}

const toolNames = TOOL_REGISTRY.map((entry) => entry.tool.name);
const methods = ['initialize', 'ping', 'tools/list', 'tools/call', 'resources/list', 'prompts/list', 'notifications/initialized', 'notifications/cancelled', 'logging/setLevel', 'completion/complete'];

const id = fc.oneof(fc.integer(), fc.string({ maxLength: 40 }), fc.constant(null), fc.double(), fc.anything({ maxDepth: 1 }));
const jsonValue = fc.jsonValue({ maxDepth: 4 });
const message = fc.record(
  {
    jsonrpc: fc.oneof(fc.constant('2.0'), fc.constant('1.0'), jsonValue),
    id,
    method: fc.oneof(fc.constantFrom(...methods), fc.string({ maxLength: 60 })),
    params: fc.oneof(jsonValue, fc.dictionary(fc.string({ maxLength: 20 }), jsonValue, { maxKeys: 6 })),
  },
  { requiredKeys: [] },
);
const toolCall = fc.record({
  jsonrpc: fc.constant('2.0'),
  id: fc.oneof(fc.integer(), fc.string({ maxLength: 40 })),
  method: fc.constant('tools/call'),
  params: fc.record(
    {
      name: fc.oneof(fc.constantFrom(...toolNames), fc.string({ maxLength: 40 })),
      arguments: fc.oneof(
        fc.dictionary(fc.constantFrom('path', 'content', 'prefix', 'query', 'limit', 'conversation_id', 'cursor', 'title', 'x'), jsonValue, { maxKeys: 5 }),
        jsonValue,
      ),
      _meta: jsonValue,
    },
    { requiredKeys: ['name'] },
  ),
});

describe('fuzzed JSON-RPC bodies on /mcp (docs/security.md, fuzzing)', () => {
  it.each([
    ['arbitrary text', fc.string({ maxLength: 400, unit: 'binary' })],
    ['arbitrary JSON', fc.json({ maxDepth: 5 })],
    ['JSON-RPC-shaped messages', message.map((value) => JSON.stringify(value))],
    ['batches of messages', fc.array(message, { maxLength: 8 }).map((value) => JSON.stringify(value))],
    ['tools/call with any tool and any arguments', toolCall.map((value) => JSON.stringify(value))],
  ])('%s: never a 5xx, never internals, never a hang (with and without a token)', async (_name, bodies) => {
    await fc.assert(
      fc.asyncProperty(bodies, fc.boolean(), async (body, withToken) => {
        expectClean(await post(body, withToken), body);
      }),
      { numRuns: RUNS },
    );
    // Still serving normally afterwards.
    expect((await post(JSON.stringify({ jsonrpc: '2.0', id: 1, method: 'ping' }), true)).status).toBe(200);
  });
});
