import { z } from 'zod';
import { defineTool, ownerId, structuredOutcome, ToolError } from '../tool-kit.js';
import { filePathArgument } from './file-path-argument.js';

export const privateFilesDelete = defineTool({
  name: 'private_files_delete',
  title: 'Delete a file',
  description: 'Deletes one of your private files by its path, such as "notes/todo.md" (a leading "/" is the root of your files).',
  input: z.object({ path: filePathArgument }).strict(),
  async run({ path }, context) {
    const userId = ownerId(context);
    const { count } = await context.prisma.file.deleteMany({ where: { userId, path } });
    if (count === 0) throw new ToolError(`File not found: ${path}`);
    return structuredOutcome({ path, deleted: true }, `Deleted ${path}`);
  },
});
