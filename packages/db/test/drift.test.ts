import { cp, mkdtemp, readdir, readFile, rm, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createMigration } from '../src/create-migration.js';
import { diffMigrationsToSchema } from '../src/diff.js';
import { migrate } from '../src/migrate.js';
import { MIGRATIONS_DIR, SCHEMA_PATH } from '../src/paths.js';
import { createEmptyTestDatabase, type EmptyTestDatabase } from '../src/testing.js';
import { runScript } from './run-script.js';

const EXTRA_MODEL = `
/// Test-only model: exists to make the schema disagree with the migrations.
model DriftProbe {
  id    Int    @id @default(autoincrement())
  label String @unique
}
`;

describe('schema.prisma and prisma/migrations', () => {
  let db: EmptyTestDatabase;
  let scratch: string;
  beforeAll(async () => {
    db = await createEmptyTestDatabase();
    scratch = await mkdtemp(path.join(os.tmpdir(), 'omnichat-drift-'));
  });
  afterAll(async () => {
    await db?.drop();
    if (scratch) await rm(scratch, { recursive: true, force: true });
  });

  it('agree: replaying the migrations yields exactly the schema (run `pnpm db:migration <name>` if this fails)', async () => {
    const drift = await diffMigrationsToSchema(db.url);
    expect(drift, `schema.prisma has changes no migration covers:\n${drift}`).toBe('');
  });

  it('reports the SQL when the schema has a change no migration covers', async () => {
    const schemaPath = path.join(scratch, 'drifted.prisma');
    await writeFile(schemaPath, (await readFile(SCHEMA_PATH, 'utf8')) + EXTRA_MODEL);
    const drift = await diffMigrationsToSchema(db.url, { schemaPath });
    expect(drift).toContain('CREATE TABLE "DriftProbe"');
  });

  it('writes that change as a new migration, which then applies and leaves no drift', async () => {
    const migrationsDir = path.join(scratch, 'migrations');
    await cp(MIGRATIONS_DIR, migrationsDir, { recursive: true });
    const schemaPath = path.join(scratch, 'with-probe.prisma');
    await writeFile(schemaPath, (await readFile(SCHEMA_PATH, 'utf8')) + EXTRA_MODEL);

    const result = await createMigration(db.url, 'Add drift probe', { migrationsDir, schemaPath, now: new Date('2099-01-02T03:04:05Z') });

    expect(result.created).toBe(true);
    const folders = (await readdir(migrationsDir)).filter((name) => !name.endsWith('.toml')).sort();
    expect(folders.at(-1)).toBe('20990102030405_add_drift_probe');
    expect(await readFile(path.join(migrationsDir, '20990102030405_add_drift_probe/migration.sql'), 'utf8')).toContain('"DriftProbe"');
    expect(await diffMigrationsToSchema(db.url, { migrationsDir, schemaPath })).toBe('');
    expect((await migrate(db.url, { migrationsDir })).applied).toEqual(folders);

    const again = await createMigration(db.url, 'nothing new', { migrationsDir, schemaPath });
    expect(again.created).toBe(false);
    expect((await readdir(migrationsDir)).length).toBe(folders.length + 1);
  });

  it('pnpm db:migration refuses, writing nothing, when nothing changed', async () => {
    const before = await readdir(MIGRATIONS_DIR);
    const result = await runScript('migration', { DATABASE_URL: db.url }, ['no_changes']);
    expect(result.code).toBe(1);
    expect(result.stderr).toContain('already agree');
    expect(await readdir(MIGRATIONS_DIR)).toEqual(before);
  });

  it('pnpm db:migration asks for a name', async () => {
    const result = await runScript('migration', { DATABASE_URL: db.url });
    expect(result.code).toBe(1);
    expect(result.stderr).toContain('usage: pnpm db:migration <name>');
  });
});
