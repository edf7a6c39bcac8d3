import type { PrismaClient } from '@omnichat/db';

import { runAdmin } from '../../src/run-admin.js';

export type AdminRun = { code: number; stdout: string; stderr: string; audit: Record<string, unknown>[] };

/** Runs one admin command line in-process against `prisma`, capturing stdout, stderr and audit lines. */
export async function admin(
  prisma: PrismaClient,
  argv: string[],
  options: { stdin?: string; env?: Record<string, string>; now?: Date; databaseUrl?: string } = {},
): Promise<AdminRun> {
  let stdout = '';
  let stderr = '';
  const audit: Record<string, unknown>[] = [];
  const code = await runAdmin(argv, {
    env: { KEY_ENCRYPTION_SECRET: 'admin-test-key-encryption-secret-0123456789', ...options.env },
    stdin: async () => options.stdin ?? '',
    now: () => options.now ?? new Date(),
    log: { info: (object) => audit.push(object as Record<string, unknown>) },
    stdout: (chunk) => (stdout += chunk),
    stderr: (chunk) => (stderr += chunk),
    // Only backup and restore use the URL (they hand it to pg_dump / pg_restore).
    openDatabase: async () => ({ prisma, url: options.databaseUrl ?? 'postgres://no-url-given-to-the-test-helper.invalid/none', close: async () => {} }),
  });
  return { code, stdout, stderr, audit };
}
