import { ToolSchema } from '@modelcontextprotocol/core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startTestBed, type McpTestBed } from './helpers/fixtures.js';
import { postMcp, rpc } from '@omnichat/testkit';

let bed: McpTestBed;
let tools: Array<Record<string, any>>;
beforeAll(async () => {
  bed = await startTestBed({ requireAuth: false }); // mixed mode: anonymous calls exercise the rest
  // Raw JSON on purpose: the SDK Client strips the top-level securitySchemes we must emit.
  const reply = await postMcp(bed.server.url, rpc('tools/list'));
  expect(reply.status).toBe(200);
  tools = reply.body.result.tools;
});
afterAll(async () => bed?.close());

const byName = (name: string) => tools.find((tool) => tool.name === name)!;

describe('tools/list (raw JSON, Apps SDK shape)', () => {
  it('works without a token in mixed mode and lists every tool', () => {
    expect(tools.map((tool) => tool.name).sort()).toEqual(
      [
        'chat_history',
        'chat_post_message',
        'chat_search',
        'private_files_delete',
        'private_files_list',
        'private_files_read',
        'private_files_write',
        'public_search',
        'whoami',
        'ssh_hosts',
        'ssh_execute',
      ].sort(),
    );
  });

  it('every descriptor is a valid MCP Tool by the SDK\'s own spec schema (@modelcontextprotocol/core)', () => {
    for (const tool of tools) expect(ToolSchema.safeParse(tool).success, tool['name']).toBe(true);
  });

  it.each([
    ['public_search', [{ type: 'noauth' }]],
    ['whoami', [{ type: 'oauth2', scopes: [] }]],
    ['private_files_list', [{ type: 'oauth2', scopes: ['files:read'] }]],
    ['private_files_read', [{ type: 'oauth2', scopes: ['files:read'] }]],
    ['private_files_write', [{ type: 'oauth2', scopes: ['files:write'] }]],
    ['private_files_delete', [{ type: 'oauth2', scopes: ['files:write'] }]],
    ['chat_history', [{ type: 'oauth2', scopes: ['chat:read'] }]],
    ['chat_search', [{ type: 'oauth2', scopes: ['chat:read'] }]],
    ['chat_post_message', [{ type: 'oauth2', scopes: ['chat:write'] }]],
    ['ssh_hosts', [{ type: 'oauth2', scopes: ['ssh:execute'] }]],
    ['ssh_execute', [{ type: 'oauth2', scopes: ['ssh:execute'] }]],
  ])('%s carries securitySchemes at the top level and in _meta, identical', (name, schemes) => {
    const tool = byName(name);
    expect(tool['securitySchemes']).toEqual(schemes);
    expect(tool['_meta'].securitySchemes).toEqual(schemes);
  });

  it.each([
    ['public_search', true, false],
    ['whoami', true, false],
    ['private_files_list', true, false],
    ['private_files_read', true, false],
    ['private_files_write', false, true],
    ['private_files_delete', false, true],
    ['chat_history', true, false],
    ['chat_search', true, false],
    ['chat_post_message', false, false],
    ['ssh_hosts', true, false],
    ['ssh_execute', false, true],
  ])('%s has readOnlyHint %s and destructiveHint %s', (name, readOnly, destructive) => {
    expect(byName(name)['annotations']).toMatchObject({ readOnlyHint: readOnly, destructiveHint: destructive });
  });

  it('marks whoami as the profile tool with an output schema', () => {
    const whoami = byName('whoami');
    expect(whoami['_meta']['openai/profile']).toBe(true);
    expect(whoami['inputSchema']).toMatchObject({ type: 'object', properties: {} });
    expect(whoami['outputSchema']).toMatchObject({ type: 'object', required: ['id', 'email', 'email_verified', 'scopes'] });
  });

  it('gives every tool an object input schema without a $schema dialect marker', () => {
    for (const tool of tools) {
      expect(tool['inputSchema'].type).toBe('object');
      expect(tool['inputSchema'].$schema).toBeUndefined();
      expect(typeof tool['description']).toBe('string');
    }
    expect(byName('private_files_write')['inputSchema'].required).toEqual(['path', 'content']);
  });
});
