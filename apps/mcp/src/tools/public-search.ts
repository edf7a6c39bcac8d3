import { z } from 'zod';
import { defineTool, structuredOutcome } from './tool-kit.js';

type Hit = { slug: string; title: string; snippet: string; rank: number };

export const publicSearch = defineTool({
  name: 'public_search',
  title: 'Search the knowledge base',
  description: 'Full-text search over the public OmniChat knowledge base (web-search syntax). Best matches first, with snippets. No sign-in needed.',
  input: z
    .object({
      query: z.string().trim().min(1).max(200),
      limit: z.number().int().min(1).max(20).default(5),
    })
    .strict(),
  async run({ query, limit }, context) {
    // Postgres FTS: title weighted above body; websearch_to_tsquery accepts any user text.
    const hits = await context.prisma.$queryRaw<Hit[]>`
      SELECT a.slug, a.title,
             ts_rank(setweight(to_tsvector('english', a.title), 'A') || setweight(to_tsvector('english', a.body), 'B'), q) AS rank,
             ts_headline('english', a.body, q, 'MaxFragments=2, MaxWords=30, MinWords=10, StartSel=**, StopSel=**') AS snippet
      FROM "KnowledgeArticle" a
      CROSS JOIN websearch_to_tsquery('english', ${query}) q
      WHERE (setweight(to_tsvector('english', a.title), 'A') || setweight(to_tsvector('english', a.body), 'B')) @@ q
      ORDER BY rank DESC, a.slug
      LIMIT ${limit}`;
    const results = hits.map((hit) => ({ slug: hit.slug, title: hit.title, snippet: hit.snippet, score: Number(hit.rank) }));
    const text =
      results.length === 0
        ? `No articles match "${query}".`
        : results.map((r, i) => `${i + 1}. ${r.title} (${r.slug})\n   ${r.snippet}`).join('\n');
    return structuredOutcome({ results }, text);
  },
});
