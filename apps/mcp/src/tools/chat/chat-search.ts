import { z } from 'zod';
import { defineTool, ownerId, structuredOutcome } from '../tool-kit.js';
import { MAX_PAGE } from './chat-limits.js';

type Hit = { message_id: string; conversation_id: string; title: string; role: string; snippet: string; created_at: Date; rank: number };

export const chatSearch = defineTool({
  name: 'chat_search',
  title: 'Search my chats',
  description: 'Full-text search over your own messages (web-search syntax: words, "quoted phrases", -excluded). Best matches first, with snippets.',
  input: z
    .object({
      query: z.string().trim().min(1).max(200),
      limit: z.number().int().min(1).max(MAX_PAGE).default(10),
    })
    .strict(),
  async run({ query, limit }, context) {
    const userId = ownerId(context);
    // websearch_to_tsquery never raises on user syntax; the owner filter is in the join (RS-27).
    const hits = await context.prisma.$queryRaw<Hit[]>`
      SELECT m.id AS message_id, c.id AS conversation_id, c.title, m.role, m."createdAt" AS created_at,
             ts_rank(to_tsvector('english', m.content), q) AS rank,
             ts_headline('english', m.content, q, 'MaxFragments=2, MaxWords=20, MinWords=5, StartSel=**, StopSel=**') AS snippet
      FROM "Message" m
      JOIN "Conversation" c ON c.id = m."conversationId"
      CROSS JOIN websearch_to_tsquery('english', ${query}) q
      WHERE c."userId" = ${userId}::uuid AND to_tsvector('english', m.content) @@ q
      ORDER BY rank DESC, m."createdAt" DESC
      LIMIT ${limit}`;
    return structuredOutcome({
      results: hits.map((hit) => ({
        conversationId: hit.conversation_id,
        conversationTitle: hit.title,
        messageId: hit.message_id,
        role: hit.role,
        snippet: hit.snippet,
        createdAt: hit.created_at.toISOString(),
      })),
    });
  },
});
