import { randomUUID } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startTestBed, type McpTestBed } from './helpers/fixtures.js';
import { callTool } from '@omnichat/testkit';

let bed: McpTestBed;
let alice: string;
let bob: string;
let aliceToken: string;
let bobToken: string;
let aliceConversation: string;

beforeAll(async () => {
  bed = await startTestBed({ requireAuth: false }); // mixed mode: anonymous calls exercise the rest
  alice = await bed.createUser();
  bob = await bed.createUser();
  aliceToken = await bed.token(alice, 'chat:read chat:write');
  bobToken = await bed.token(bob, 'chat:read chat:write');
});
afterAll(async () => bed?.close());

const call = (name: string, args: Record<string, unknown>, token: string) => callTool(bed.server.url, name, args, token);

describe('chat tools', () => {
  it('starts a conversation when no id is given, then appends to it', async () => {
    const first = await call('chat_post_message', { content: 'Planning the Lisbon offsite', title: 'Offsite' }, aliceToken);
    expect(first.isError).toBeUndefined();
    expect(first.structuredContent).toMatchObject({ created: true });
    aliceConversation = first.structuredContent.conversationId;

    const second = await call('chat_post_message', { conversation_id: aliceConversation, content: 'Book flights to Lisbon for the team' }, aliceToken);
    expect(second.structuredContent).toMatchObject({ conversationId: aliceConversation, created: false });
  });

  it('lists conversations, then a conversation\'s messages oldest first', async () => {
    const list = await call('chat_history', {}, aliceToken);
    expect(list.structuredContent.conversations).toEqual([
      expect.objectContaining({ id: aliceConversation, title: 'Offsite', messageCount: 2 }),
    ]);
    const history = await call('chat_history', { conversation_id: aliceConversation }, aliceToken);
    expect(history.structuredContent.messages.map((m: { content: string }) => m.content)).toEqual([
      'Planning the Lisbon offsite',
      'Book flights to Lisbon for the team',
    ]);
    const latest = await call('chat_history', { conversation_id: aliceConversation, limit: 1 }, aliceToken);
    expect(latest.structuredContent.messages.map((m: { content: string }) => m.content)).toEqual(['Book flights to Lisbon for the team']);
  });

  it('titles a new conversation from its first message when no title is given', async () => {
    const posted = await call('chat_post_message', { content: 'x'.repeat(100) }, bobToken);
    const history = await call('chat_history', { conversation_id: posted.structuredContent.conversationId }, bobToken);
    expect(history.structuredContent.conversation.title).toBe('x'.repeat(60));
  });

  it('searches the user\'s messages with ranked snippets', async () => {
    const found = await call('chat_search', { query: 'flights lisbon' }, aliceToken);
    expect(found.structuredContent.results).toHaveLength(1);
    expect(found.structuredContent.results[0]).toMatchObject({ conversationId: aliceConversation, conversationTitle: 'Offsite', role: 'user' });
    expect(found.structuredContent.results[0].snippet).toContain('**flights**');
    expect((await call('chat_search', { query: 'submarine' }, aliceToken)).structuredContent.results).toEqual([]);
  });

  it.each([['"unterminated'], ['&|!:*'], ['-'], ["'; DROP TABLE \"Message\"; --"]])('treats search syntax %j as text, never an error', async (query) => {
    const result = await call('chat_search', { query }, aliceToken);
    expect(result.isError).toBeUndefined();
  });

  it('refuses empty and oversized messages with a clear error', async () => {
    expect((await call('chat_post_message', { content: '   ' }, aliceToken)).content[0]!.text).toMatch(/^Invalid arguments for chat_post_message: content: /);
    expect((await call('chat_post_message', { content: 'x'.repeat(16_001) }, aliceToken)).isError).toBe(true);
  });
});

describe('one user never touches another user\'s chats (docs/security.md RS-27)', () => {
  it('bob cannot read alice\'s conversation: the same answer as a missing one', async () => {
    const theirs = await call('chat_history', { conversation_id: aliceConversation }, bobToken);
    expect(theirs).toEqual({ isError: true, content: [{ type: 'text', text: `Conversation not found: ${aliceConversation}` }] });
    const missing = randomUUID();
    expect((await call('chat_history', { conversation_id: missing }, bobToken)).content[0]!.text).toBe(`Conversation not found: ${missing}`);
  });

  it('bob cannot post into alice\'s conversation', async () => {
    const result = await call('chat_post_message', { conversation_id: aliceConversation, content: 'hijack' }, bobToken);
    expect(result).toEqual({ isError: true, content: [{ type: 'text', text: `Conversation not found: ${aliceConversation}` }] });
    expect(await bed.prisma.message.count({ where: { conversationId: aliceConversation, content: 'hijack' } })).toBe(0);
  });

  it('bob\'s list and search never include alice\'s messages', async () => {
    const list = await call('chat_history', {}, bobToken);
    expect(list.structuredContent.conversations.some((c: { id: string }) => c.id === aliceConversation)).toBe(false);
    expect((await call('chat_search', { query: 'lisbon' }, bobToken)).structuredContent.results).toEqual([]);
  });

  it('a chat:read token cannot post', async () => {
    const readOnly = await bed.token(alice, 'chat:read');
    const result = await call('chat_post_message', { content: 'x' }, readOnly);
    expect(result._meta?.['mcp/www_authenticate']).toEqual([expect.stringContaining('error="insufficient_scope"')]);
  });
});
