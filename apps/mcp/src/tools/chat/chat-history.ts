import { z } from 'zod';
import { defineTool, ownerId, structuredOutcome, ToolError } from '../tool-kit.js';
import { DEFAULT_PAGE, MAX_PAGE } from './chat-limits.js';

export const chatHistory = defineTool({
  name: 'chat_history',
  title: 'Chat history',
  description:
    'Without conversation_id: lists your most recent conversations. With conversation_id: returns that conversation\'s latest messages, oldest first.',
  input: z
    .object({
      conversation_id: z.uuid().optional().describe('A conversation id from a previous listing'),
      limit: z.number().int().min(1).max(MAX_PAGE).default(DEFAULT_PAGE),
    })
    .strict(),
  async run({ conversation_id: conversationId, limit }, context) {
    const userId = ownerId(context);
    if (conversationId === undefined) {
      const conversations = await context.prisma.conversation.findMany({
        where: { userId },
        orderBy: { updatedAt: 'desc' },
        take: limit,
        select: { id: true, title: true, updatedAt: true, _count: { select: { messages: true } } },
      });
      return structuredOutcome({
        conversations: conversations.map((c) => ({
          id: c.id,
          title: c.title,
          updatedAt: c.updatedAt.toISOString(),
          messageCount: c._count.messages,
        })),
      });
    }
    // Keyed by owner as well as id: another user's conversation is "not found" (RS-27).
    const conversation = await context.prisma.conversation.findFirst({
      where: { id: conversationId, userId },
      select: { id: true, title: true },
    });
    if (!conversation) throw new ToolError(`Conversation not found: ${conversationId}`);
    const latest = await context.prisma.message.findMany({
      where: { conversationId },
      orderBy: [{ createdAt: 'desc' }, { id: 'desc' }],
      take: limit,
      select: { id: true, role: true, content: true, createdAt: true },
    });
    return structuredOutcome({
      conversation: { id: conversation.id, title: conversation.title },
      messages: latest.reverse().map((m) => ({ id: m.id, role: m.role, content: m.content, createdAt: m.createdAt.toISOString() })),
    });
  },
});
