// Loads the public knowledge base (what the MCP `public_search` tool searches) from kb/*.md:
// slug = file name without .md, title = the first `# ` heading, body = the rest. Upserted by slug;
// unchanged articles are not written, so their updatedAt stays put.
import { readdir, readFile } from 'node:fs/promises';
import path from 'node:path';
import type { Prisma, PrismaClient } from './generated/client.js';

export interface KnowledgeArticleInput {
  slug: string;
  title: string;
  body: string;
}

const SLUG = /^[a-z0-9]+(?:-[a-z0-9]+)*$/;

/** Parses one markdown file; throws with the file name when it has no `# ` title. */
export function parseKnowledgeArticle(fileName: string, markdown: string): KnowledgeArticleInput {
  const slug = path.basename(fileName, '.md');
  if (!SLUG.test(slug)) throw new Error(`kb/${fileName}: file name must be a lower-case slug like "revoking-access.md"`);
  const lines = markdown.replace(/\r\n/g, '\n').split('\n');
  const titleIndex = lines.findIndex((line) => line.startsWith('# '));
  const title = titleIndex === -1 ? '' : lines[titleIndex]!.slice(2).trim();
  if (!title) throw new Error(`kb/${fileName}: needs a "# Title" line`);
  const body = lines.slice(titleIndex + 1).join('\n').trim();
  if (!body) throw new Error(`kb/${fileName}: has a title but no text`);
  return { slug, title, body };
}

export async function readKnowledgeBase(dir: string): Promise<KnowledgeArticleInput[]> {
  const files = (await readdir(dir)).filter((name) => name.endsWith('.md')).sort();
  return Promise.all(files.map(async (name) => parseKnowledgeArticle(name, await readFile(path.join(dir, name), 'utf8'))));
}

export interface KnowledgeLoadResult {
  created: number;
  updated: number;
  unchanged: number;
}

type Db = PrismaClient | Prisma.TransactionClient;

export async function loadKnowledgeBase(db: Db, articles: KnowledgeArticleInput[]): Promise<KnowledgeLoadResult> {
  const result: KnowledgeLoadResult = { created: 0, updated: 0, unchanged: 0 };
  for (const article of articles) {
    const existing = await db.knowledgeArticle.findUnique({ where: { slug: article.slug } });
    if (!existing) {
      await db.knowledgeArticle.create({ data: article });
      result.created++;
    } else if (existing.title !== article.title || existing.body !== article.body) {
      await db.knowledgeArticle.update({ where: { slug: article.slug }, data: { title: article.title, body: article.body } });
      result.updated++;
    } else {
      result.unchanged++;
    }
  }
  return result;
}
