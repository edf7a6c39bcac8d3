import { z } from 'zod';

/** Parses an environment with one app's schema; throws one line per problem, never a stack of zod. */
export function parseEnv<Schema extends z.ZodType>(schema: Schema, env: Record<string, string | undefined>, what: string): z.output<Schema> {
  const parsed = schema.safeParse(env);
  if (!parsed.success) {
    const lines = parsed.error.issues.map((issue) => `${issue.path.join('.')}: ${issue.message}`);
    throw new Error(`invalid ${what} configuration:\n${lines.join('\n')}`);
  }
  return parsed.data;
}

/** `a, b,,c` → `['a', 'b', 'c']`. */
export const commaList = z
  .string()
  .transform((value) => value.split(',').map((item) => item.trim()).filter((item) => item !== ''));

export const httpUrl = z.url({ protocol: /^https?$/ });

/** Each app's NODE_ENV; `production` tightens the rules below and the apps' own. */
export const NODE_ENV = z.string().default('development');

export const LOG_LEVEL = z.enum(['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent']).default('info');

/**
 * A transform that derives a variable's value once with `parse` (a rule kept beside what it
 * parses); what `parse` throws becomes that variable's problem line.
 */
export const derived =
  <In, Out>(parse: (value: In) => Out) =>
  (value: In, ctx: z.RefinementCtx<In>): Out => {
    try {
      return parse(value);
    } catch (error) {
      ctx.addIssue({ code: 'custom', message: (error as Error).message });
      return z.NEVER;
    }
  };
