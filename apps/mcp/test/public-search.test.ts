import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startTestBed, type McpTestBed } from './helpers/fixtures.js';
import { callTool } from '@omnichat/testkit';

let bed: McpTestBed;
beforeAll(async () => {
  bed = await startTestBed({ requireAuth: false }); // mixed mode: anonymous calls exercise the rest
  await bed.prisma.knowledgeArticle.createMany({
    data: [
      { slug: 'connect-chatgpt', title: 'Connect OmniChat to ChatGPT', body: 'Paste the MCP URL into ChatGPT, sign in and approve the scopes. ChatGPT then calls the tools for you.' },
      { slug: 'files', title: 'Private files', body: 'Each account stores private text files. ChatGPT can read them once you grant files:read.' },
      { slug: 'billing', title: 'Billing', body: 'Invoices are sent monthly.' },
    ],
  });
});
afterAll(async () => bed?.close());

describe('public_search (no sign-in)', () => {
  it('ranks title matches first and returns highlighted snippets', async () => {
    const result = await callTool(bed.server.url, 'public_search', { query: 'chatgpt' });
    const slugs = result.structuredContent.results.map((r: { slug: string }) => r.slug);
    expect(slugs).toEqual(['connect-chatgpt', 'files']);
    expect(result.structuredContent.results[0].snippet).toContain('**ChatGPT**');
    expect(result.content[0]!.text).toContain('1. Connect OmniChat to ChatGPT (connect-chatgpt)');
  });

  it('understands web-search syntax', async () => {
    const result = await callTool(bed.server.url, 'public_search', { query: 'chatgpt -files' });
    expect(result.structuredContent.results.map((r: { slug: string }) => r.slug)).toEqual(['connect-chatgpt']);
    const phrase = await callTool(bed.server.url, 'public_search', { query: '"invoices are sent"' });
    expect(phrase.structuredContent.results.map((r: { slug: string }) => r.slug)).toEqual(['billing']);
  });

  it('respects the limit and says when nothing matches', async () => {
    expect((await callTool(bed.server.url, 'public_search', { query: 'chatgpt', limit: 1 })).structuredContent.results).toHaveLength(1);
    const none = await callTool(bed.server.url, 'public_search', { query: 'submarine' });
    expect(none.structuredContent.results).toEqual([]);
    expect(none.content[0]!.text).toBe('No articles match "submarine".');
  });

  it.each([[''], ['x'.repeat(201)]])('refuses the query %j with a tool error', async (query) => {
    const result = await callTool(bed.server.url, 'public_search', { query });
    expect(result.isError).toBe(true);
    expect(result.content[0]!.text).toMatch(/^Invalid arguments for public_search: query: /);
  });

  it('works the same with a token', async () => {
    const token = await bed.token(await bed.createUser());
    const result = await callTool(bed.server.url, 'public_search', { query: 'billing' }, token);
    expect(result.structuredContent.results).toHaveLength(1);
  });
});
