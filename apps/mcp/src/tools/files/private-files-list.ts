import { z } from 'zod';
import { defineTool, ownerId, structuredOutcome } from '../tool-kit.js';
import { MAX_LIST_ENTRIES } from './file-limits.js';

export const privateFilesList = defineTool({
  name: 'private_files_list',
  title: 'List my files',
  description: 'Lists your private files (path, size, last change), optionally only those under a folder prefix.',
  input: z
    .object({
      prefix: z
        .string()
        .max(255)
        // Paths are stored without the leading "/" a model writes for the root: "/" lists everything.
        .transform((value) => value.replace(/^\/+/, ''))
        .optional()
        .describe('Only paths starting with this text, e.g. "notes/"; a leading "/" is the root of your files ("/" or "" lists everything)'),
    })
    .strict(),
  async run({ prefix }, context) {
    const userId = ownerId(context);
    const files = await context.prisma.file.findMany({
      where: { userId, ...(prefix ? { path: { startsWith: prefix } } : {}) },
      select: { path: true, sizeBytes: true, updatedAt: true },
      orderBy: { path: 'asc' },
      take: MAX_LIST_ENTRIES + 1,
    });
    const truncated = files.length > MAX_LIST_ENTRIES;
    const entries = files.slice(0, MAX_LIST_ENTRIES).map((file) => ({
      path: file.path,
      sizeBytes: file.sizeBytes,
      updatedAt: file.updatedAt.toISOString(),
    }));
    return structuredOutcome({ files: entries, truncated });
  },
});
