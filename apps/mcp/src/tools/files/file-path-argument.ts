import { z } from 'zod';
import { MAX_PATH_LENGTH, normaliseFilePath } from './file-path.js';

/** The `path` argument of every file tool: validated and normalised in one place. */
export const filePathArgument = z
  .string()
  .max(MAX_PATH_LENGTH * 4)
  .describe('Path of the file in your files, such as "notes/todo.md"; "/" separates folders and a leading "/" is the root of your files ("/notes/todo.md" is the same file). No ".." or "\\".')
  .transform((value, ctx) => {
    const checked = normaliseFilePath(value);
    if (!checked.ok) {
      ctx.addIssue({ code: 'custom', message: checked.reason });
      return z.NEVER;
    }
    return checked.path;
  });
