import { z } from 'zod';
import { defineTool, ownerId, structuredOutcome, ToolError } from '../tool-kit.js';
import { MAX_MESSAGE_CHARS, MAX_TITLE_CHARS } from './chat-limits.js';

export const chatPostMessage = defineTool({
  name: 'chat_post_message',
  title: 'Post a chat message',
  description: 'Posts a message in one of your conversations, or starts a new conversation when no conversation_id is given.',
  input: z
    .object({
      conversation_id: z.uuid().optional().describe('Omit to start a new conversation'),
      content: z.string().trim().min(1).max(MAX_MESSAGE_CHARS),
      title: z.string().trim().min(1).max(MAX_TITLE_CHARS).optional().describe('Title of a new conversation'),
    })
    .strict(),
  async run({ conversation_id: conversationId, content, title }, context) {
    const userId = ownerId(context);
    const result = await context.prisma.$transaction(async (tx) => {
      let id = conversationId;
      if (id === undefined) {
        const owner = await tx.user.findUnique({ where: { id: userId }, select: { id: true } });
        if (!owner) throw new ToolError('This account has no data on this server');
        const created = await tx.conversation.create({
          data: { userId, title: title ?? content.slice(0, 60) },
          select: { id: true },
        });
        id = created.id;
      } else {
        // Touch updatedAt and prove ownership in one statement; 0 rows = not yours or missing.
        const { count } = await tx.conversation.updateMany({ where: { id, userId }, data: { updatedAt: new Date() } });
        if (count === 0) throw new ToolError(`Conversation not found: ${id}`);
      }
      const message = await tx.message.create({
        data: { conversationId: id, role: 'user', content },
        select: { id: true, createdAt: true },
      });
      return { conversationId: id, messageId: message.id, createdAt: message.createdAt.toISOString(), created: conversationId === undefined };
    });
    return structuredOutcome(result, `Posted message ${result.messageId} in conversation ${result.conversationId}`);
  },
});
