import { z } from 'zod';
import { defineTool, ownerId, structuredOutcome, ToolError } from '../tool-kit.js';
import { MAX_FILE_BYTES, MAX_USER_BYTES, MAX_USER_FILES } from './file-limits.js';
import { filePathArgument } from './file-path-argument.js';

export const privateFilesWrite = defineTool({
  name: 'private_files_write',
  title: 'Write a file',
  description: `Creates or replaces one of your private text files (at most ${MAX_FILE_BYTES / 1024} KiB each, ${MAX_USER_BYTES / 1024 / 1024} MiB in total).`,
  input: z
    .object({
      path: filePathArgument,
      // Characters bound the JSON body; bytes are checked below, where UTF-8 length is known.
      content: z.string().max(MAX_FILE_BYTES).describe('The whole new content of the file (UTF-8 text)'),
    })
    .strict(),
  async run({ path, content }, context) {
    const userId = ownerId(context);
    const sizeBytes = Buffer.byteLength(content, 'utf8');
    if (sizeBytes > MAX_FILE_BYTES) {
      throw new ToolError(`File too large: ${sizeBytes} bytes (limit ${MAX_FILE_BYTES})`);
    }
    const created = await context.prisma.$transaction(async (tx) => {
      // Serialises one user's writes so two concurrent writes cannot both pass the quota check.
      const owner = await tx.$queryRaw<Array<{ id: string }>>`SELECT id FROM "User" WHERE id = ${userId}::uuid FOR UPDATE`;
      if (owner.length === 0) throw new ToolError('This account has no data on this server');
      const others = await tx.file.aggregate({
        where: { userId, NOT: { path } },
        _sum: { sizeBytes: true },
        _count: { _all: true },
      });
      const existing = await tx.file.findUnique({ where: { userId_path: { userId, path } }, select: { id: true } });
      if (!existing && others._count._all >= MAX_USER_FILES) {
        throw new ToolError(`File limit reached: at most ${MAX_USER_FILES} files`);
      }
      const used = others._sum.sizeBytes ?? 0;
      if (used + sizeBytes > MAX_USER_BYTES) {
        throw new ToolError(`Storage quota exceeded: ${used} of ${MAX_USER_BYTES} bytes used, this file needs ${sizeBytes}`);
      }
      await tx.file.upsert({
        where: { userId_path: { userId, path } },
        create: { userId, path, content, sizeBytes },
        update: { content, sizeBytes },
      });
      return !existing;
    });
    return structuredOutcome({ path, sizeBytes, created }, `${created ? 'Created' : 'Replaced'} ${path} (${sizeBytes} bytes)`);
  },
});
