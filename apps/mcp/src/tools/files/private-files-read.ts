import { z } from 'zod';
import { sqlPool } from '@omnichat/db';
import { defineTool, ownerId, structuredOutcome, ToolError } from '../tool-kit.js';
import { filePathArgument } from './file-path-argument.js';

/**
 * The hottest data read a connected client makes, as one prepared statement on the Prisma client's
 * own pool (same connections, same timeouts): Prisma's findUnique costs ~5× the CPU of the query
 * itself here (bench/, mcp.toolcall.db). `updatedAt` is stored as UTC without a zone, as Prisma
 * writes it; AT TIME ZONE 'UTC' hands pg a timestamptz so it is not read as local time.
 */
const READ_FILE = {
  name: 'mcp.private_files_read',
  text: `SELECT "path", "content", "sizeBytes", ("updatedAt" AT TIME ZONE 'UTC') AS "updatedAt"
         FROM "File" WHERE "userId" = $1 AND "path" = $2`,
};

type FileRow = { path: string; content: string; sizeBytes: number; updatedAt: Date };

export const privateFilesRead = defineTool({
  name: 'private_files_read',
  title: 'Read a file',
  description: 'Reads one of your private files by its path, such as "notes/todo.md" (a leading "/" is the root of your files).',
  input: z.object({ path: filePathArgument }).strict(),
  async run({ path }, context) {
    const userId = ownerId(context);
    const { rows } = await sqlPool(context.prisma).query<FileRow>({ ...READ_FILE, values: [userId, path] });
    const file = rows[0];
    // Another user's file and a missing file get the same answer (RS-27).
    if (!file) throw new ToolError(`File not found: ${path}`);
    return structuredOutcome(
      { path: file.path, content: file.content, sizeBytes: file.sizeBytes, updatedAt: file.updatedAt.toISOString() },
      file.content,
    );
  },
});
