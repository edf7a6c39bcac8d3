// ADMIN_EMAIL / ADMIN_PASSWORD for `pnpm db:seed`, checked before anything touches the database so
// bad input writes nothing.
import { z } from 'zod';
import { normaliseEmail } from './password.js';

/** NIST SP 800-63B §3.1.1.2 asks for at least 8; an admin account warrants more. */
export const MIN_ADMIN_PASSWORD_LENGTH = 12;
/** argon2 accepts more, but nobody types this much; a cap keeps hashing cheap for attackers' inputs. */
export const MAX_ADMIN_PASSWORD_LENGTH = 1024;

const adminSeedSchema = z.object({
  ADMIN_EMAIL: z
    .string({ error: 'ADMIN_EMAIL is not set' })
    .trim()
    .min(1, 'ADMIN_EMAIL is not set')
    .pipe(z.email({ error: 'ADMIN_EMAIL is not a valid email address' })),
  ADMIN_PASSWORD: z
    .string({ error: 'ADMIN_PASSWORD is not set' })
    .min(1, 'ADMIN_PASSWORD is not set')
    .min(MIN_ADMIN_PASSWORD_LENGTH, `ADMIN_PASSWORD must be at least ${MIN_ADMIN_PASSWORD_LENGTH} characters`)
    .max(MAX_ADMIN_PASSWORD_LENGTH, `ADMIN_PASSWORD must be at most ${MAX_ADMIN_PASSWORD_LENGTH} characters`),
});

export interface AdminSeedInput {
  email: string;
  password: string;
}

export type AdminSeedParse = { ok: true; value: AdminSeedInput } | { ok: false; problems: string[] };

export function parseAdminSeedInput(env: { ADMIN_EMAIL?: string | undefined; ADMIN_PASSWORD?: string | undefined }): AdminSeedParse {
  const result = adminSeedSchema.safeParse({ ADMIN_EMAIL: env.ADMIN_EMAIL, ADMIN_PASSWORD: env.ADMIN_PASSWORD });
  if (!result.success) {
    // One line per variable: its first problem is the one worth fixing first.
    const problems = new Map<PropertyKey, string>();
    for (const issue of result.error.issues) {
      const key = issue.path[0] ?? '';
      if (!problems.has(key)) problems.set(key, issue.message);
    }
    return { ok: false, problems: [...problems.values()] };
  }
  return { ok: true, value: { email: normaliseEmail(result.data.ADMIN_EMAIL), password: result.data.ADMIN_PASSWORD } };
}
