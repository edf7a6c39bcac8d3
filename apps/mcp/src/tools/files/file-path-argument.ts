import { z } from 'zod';
import { MAX_PATH_LENGTH, normaliseFilePath } from './file-path.js';

/** The `path` argument of every file tool: validated and normalised in one place. */
export const filePathArgument = z
  .string()
  .max(MAX_PATH_LENGTH * 4)
  .describe('Relative path such as "notes/todo.md" ("/" separates folders)')
  .transform((value, ctx) => {
    const checked = normaliseFilePath(value);
    if (!checked.ok) {
      ctx.addIssue({ code: 'custom', message: checked.reason });
      return z.NEVER;
    }
    return checked.path;
  });
