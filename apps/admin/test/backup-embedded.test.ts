// Backup against the embedded Postgres (no DATABASE_URL): its package ships the server but no
// pg_dump, so the backup needs PostgreSQL 17's client programs from elsewhere. On a machine that
// has them the backup is made; on one that has only another major (this CI: Debian's 15) the
// refusal names the version needed, what was found, and how to get it.
import { mkdtemp, rm, stat } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';

import { createPrismaClient, findPostgresTool, migrate, resolveDatabase, type ResolvedDatabase } from '@omnichat/db';
import { afterAll, beforeAll, expect, it } from 'vitest';

import { admin } from './helpers/run.js';

let dataDir: string;
let database: ResolvedDatabase | undefined;

beforeAll(async () => {
  dataDir = await mkdtemp(path.join(os.tmpdir(), 'omnichat-backup-embedded-'));
  database = await resolveDatabase({ EMBEDDED_PG_PORT: undefined }, dataDir);
  await migrate(database.url);
}, 120_000);
afterAll(async () => {
  await database?.stop();
  if (dataDir) await rm(dataDir, { recursive: true, force: true });
});

it('backs up the embedded Postgres with a pg_dump of its major version, or says which one it needs', async () => {
  const prisma = createPrismaClient(database!.url);
  const file = path.join(dataDir, 'embedded.tar');
  try {
    const run = await admin(prisma, ['backup', '--out', file], { databaseUrl: database!.url, env: { PATH: process.env.PATH ?? '' } });
    const major = Number((await prisma.$queryRaw<{ v: string }[]>`SELECT current_setting('server_version_num') AS v`)[0]?.v) / 10_000 | 0;
    const tool = await findPostgresTool('pg_dump', major, { PATH: process.env.PATH ?? '' }).catch(() => undefined);
    if (tool) {
      expect(run.code, run.stderr).toBe(0);
      expect((await stat(file)).size).toBeGreaterThan(0);
    } else {
      expect(run.code).toBe(1);
      expect(run.stderr).toMatch(new RegExp(`pg_dump of PostgreSQL ${major} \\(the server's major version\\) not found on this machine.*postgresql-client-${major}.*PG_BIN_DIR.*embedded Postgres package ships the server only`));
      await expect(stat(file)).rejects.toThrow();
    }
  } finally {
    await prisma.$disconnect();
  }
}, 60_000);
