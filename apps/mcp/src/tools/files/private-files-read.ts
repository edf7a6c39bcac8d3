import { z } from 'zod';
import { defineTool, ownerId, structuredOutcome, ToolError } from '../tool-kit.js';
import { filePathArgument } from './file-path-argument.js';

export const privateFilesRead = defineTool({
  name: 'private_files_read',
  title: 'Read a file',
  description: 'Reads one of your private files by its path.',
  input: z.object({ path: filePathArgument }).strict(),
  async run({ path }, context) {
    const userId = ownerId(context);
    const file = await context.prisma.file.findUnique({
      where: { userId_path: { userId, path } },
      select: { path: true, content: true, sizeBytes: true, updatedAt: true },
    });
    // Another user's file and a missing file get the same answer (RS-27).
    if (!file) throw new ToolError(`File not found: ${path}`);
    return structuredOutcome(
      { path: file.path, content: file.content, sizeBytes: file.sizeBytes, updatedAt: file.updatedAt.toISOString() },
      file.content,
    );
  },
});
