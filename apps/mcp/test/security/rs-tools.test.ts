/**
 * docs/security.md §B rows about what the data tools return (RS-30, files and chat; the ssh side is
 * in test/ssh). Real app, real Postgres.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { MAX_PAGE } from '../../src/tools/chat/chat-limits.js';
import { MAX_FILE_BYTES, MAX_LIST_ENTRIES } from '../../src/tools/files/file-limits.js';
import { startTestBed, type McpTestBed } from '../helpers/fixtures.js';
import { callTool } from '@omnichat/testkit';

let bed: McpTestBed;
beforeAll(async () => {
  bed = await startTestBed();
});
afterAll(async () => bed?.close());

describe('docs/security.md B: output size', () => {
  it('RS-30 chat_history on a 1000-message conversation returns at most one page; a larger page is refused', async () => {
    const user = await bed.createUser();
    const token = await bed.token(user, 'chat:read');
    const conversation = await bed.prisma.conversation.create({ data: { userId: user, title: 'long' } });
    const base = Date.now() - 1_000_000;
    await bed.prisma.message.createMany({
      data: Array.from({ length: 1_000 }, (_, i) => ({
        conversationId: conversation.id, role: 'user', content: `m${i}`, createdAt: new Date(base + i * 1000),
      })),
    });
    const page = await callTool(bed.server.url, 'chat_history', { conversation_id: conversation.id, limit: MAX_PAGE }, token);
    const messages = page.structuredContent.messages as Array<{ content: string }>;
    expect(messages).toHaveLength(MAX_PAGE);
    expect(messages.at(-1)!.content).toBe('m999');
    const tooMany = await callTool(bed.server.url, 'chat_history', { conversation_id: conversation.id, limit: MAX_PAGE + 1 }, token);
    expect(tooMany.isError).toBe(true);
  });

  it('RS-30 file output is bounded: a file is at most MAX_FILE_BYTES and a listing at most MAX_LIST_ENTRIES entries, marked truncated', async () => {
    const user = await bed.createUser();
    const token = await bed.token(user, 'files:read files:write');
    await bed.prisma.file.createMany({
      data: Array.from({ length: MAX_LIST_ENTRIES + 5 }, (_, i) => ({ userId: user, path: `f${String(i).padStart(4, '0')}.txt`, content: '', sizeBytes: 0 })),
    });
    const listed = await callTool(bed.server.url, 'private_files_list', {}, token);
    expect(listed.structuredContent.files).toHaveLength(MAX_LIST_ENTRIES);
    expect(listed.structuredContent.truncated).toBe(true);
    const big = await callTool(bed.server.url, 'private_files_write', { path: 'big.txt', content: 'a'.repeat(MAX_FILE_BYTES + 1) }, token);
    expect(big.isError).toBe(true);
  });
});
