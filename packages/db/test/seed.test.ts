import { readdir } from 'node:fs/promises';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { verifyPassword } from '../src/password.js';
import { KB_DIR } from '../src/paths.js';
import { parseAdminSeedInput } from '../src/seed-input.js';
import { parseKnowledgeArticle } from '../src/seed-knowledge.js';
import { createTestDatabase, type TestDatabase } from '../src/testing.js';
import { runScript } from './run-script.js';

const PASSWORD = 'correct horse battery staple';

describe('parseAdminSeedInput', () => {
  it.each([
    [{}, ['ADMIN_EMAIL is not set', 'ADMIN_PASSWORD is not set']],
    [{ ADMIN_EMAIL: '', ADMIN_PASSWORD: PASSWORD }, ['ADMIN_EMAIL is not set']],
    [{ ADMIN_EMAIL: 'not-an-email', ADMIN_PASSWORD: PASSWORD }, ['ADMIN_EMAIL is not a valid email address']],
    [{ ADMIN_EMAIL: 'admin@example.com', ADMIN_PASSWORD: 'elevenchars' }, ['ADMIN_PASSWORD must be at least 12 characters']],
    [{ ADMIN_EMAIL: 'admin@example.com', ADMIN_PASSWORD: 'x'.repeat(1025) }, ['ADMIN_PASSWORD must be at most 1024 characters']],
  ])('refuses %j', (env, problems) => {
    expect(parseAdminSeedInput(env)).toEqual({ ok: false, problems });
  });

  it('accepts a valid pair and normalises the email', () => {
    expect(parseAdminSeedInput({ ADMIN_EMAIL: '  Admin@Example.COM ', ADMIN_PASSWORD: 'twelve chars' })).toEqual({
      ok: true,
      value: { email: 'admin@example.com', password: 'twelve chars' },
    });
  });
});

describe('parseKnowledgeArticle', () => {
  it('takes the slug from the file name and the title from the first "# " line', () => {
    expect(parseKnowledgeArticle('revoking-access.md', '# Revoking access\n\nOpen /account.\n')).toEqual({
      slug: 'revoking-access',
      title: 'Revoking access',
      body: 'Open /account.',
    });
  });

  it.each([
    ['no-title.md', 'Just text.', 'needs a "# Title" line'],
    ['empty-body.md', '# Title only\n', 'has a title but no text'],
    ['Bad Name.md', '# T\n\nx', 'lower-case slug'],
  ])('refuses %s', (file, markdown, message) => {
    expect(() => parseKnowledgeArticle(file, markdown)).toThrow(message);
  });
});

describe('pnpm db:seed', () => {
  let db: TestDatabase;
  let kbFiles: number;
  beforeAll(async () => {
    db = await createTestDatabase();
    kbFiles = (await readdir(KB_DIR)).filter((f) => f.endsWith('.md')).length;
  });
  afterAll(async () => {
    await db?.drop();
  });

  const seedWith = (email: string, password: string) =>
    runScript('seed', { DATABASE_URL: db.url, ADMIN_EMAIL: email, ADMIN_PASSWORD: password });

  it('creates the admin with an argon2id hash and loads the knowledge base', async () => {
    const result = await seedWith('Admin@Example.com', PASSWORD);
    expect(result.code, result.stderr).toBe(0);
    expect(result.stdout).toContain('admin admin@example.com created');

    const admin = await db.prisma.user.findUniqueOrThrow({ where: { email: 'admin@example.com' } });
    expect(admin.isAdmin).toBe(true);
    expect(admin.passwordHash).toMatch(/^\$argon2id\$/);
    expect(await verifyPassword(admin.passwordHash, PASSWORD)).toBe(true);
    expect(result.stdout + result.stderr).not.toContain(PASSWORD);

    const articles = await db.prisma.knowledgeArticle.findMany();
    expect(kbFiles).toBeGreaterThanOrEqual(6);
    expect(articles).toHaveLength(kbFiles);
    const revoking = articles.find((a) => a.slug === 'revoking-access');
    expect(revoking?.title).toBe("Revoking an app's access");
  });

  it('changes nothing when run again with the same input', async () => {
    const admin = await db.prisma.user.findUniqueOrThrow({ where: { email: 'admin@example.com' } });
    const articles = await db.prisma.knowledgeArticle.findMany({ orderBy: { slug: 'asc' } });

    const result = await seedWith('admin@example.com', PASSWORD);

    expect(result.code, result.stderr).toBe(0);
    expect(result.stdout).toContain('unchanged');
    expect(await db.prisma.user.findUniqueOrThrow({ where: { email: 'admin@example.com' } })).toEqual(admin);
    expect(await db.prisma.knowledgeArticle.findMany({ orderBy: { slug: 'asc' } })).toEqual(articles);
    expect(await db.prisma.user.count()).toBe(1);
  });

  it('updates only the password when it changed', async () => {
    const before = await db.prisma.user.findUniqueOrThrow({ where: { email: 'admin@example.com' } });
    const result = await seedWith('ADMIN@example.com', 'a brand new passphrase');
    expect(result.code, result.stderr).toBe(0);
    expect(result.stdout).toContain('updated');

    const after = await db.prisma.user.findUniqueOrThrow({ where: { email: 'admin@example.com' } });
    expect(after.id).toBe(before.id);
    expect(after.passwordHash).not.toBe(before.passwordHash);
    expect(await verifyPassword(after.passwordHash, 'a brand new passphrase')).toBe(true);
    expect(await verifyPassword(after.passwordHash, PASSWORD)).toBe(false);
    expect(await db.prisma.user.count()).toBe(1);
  });

  it('promotes an existing non-admin user with that email', async () => {
    await db.prisma.user.create({ data: { email: 'promote@example.com', passwordHash: 'placeholder' } });
    const result = await seedWith('promote@example.com', PASSWORD);
    expect(result.code, result.stderr).toBe(0);
    const user = await db.prisma.user.findUniqueOrThrow({ where: { email: 'promote@example.com' } });
    expect(user.isAdmin).toBe(true);
    expect(await verifyPassword(user.passwordHash, PASSWORD)).toBe(true);
  });
});

describe('pnpm db:seed with bad input', () => {
  let db: TestDatabase;
  beforeAll(async () => {
    db = await createTestDatabase();
  });
  afterAll(async () => {
    await db?.drop();
  });

  it.each([
    [{}, 'ADMIN_EMAIL is not set'],
    [{ ADMIN_EMAIL: 'admin@example.com' }, 'ADMIN_PASSWORD is not set'],
    [{ ADMIN_EMAIL: 'admin-at-example.com', ADMIN_PASSWORD: PASSWORD }, 'ADMIN_EMAIL is not a valid email address'],
    [{ ADMIN_EMAIL: 'admin@example.com', ADMIN_PASSWORD: 'too short' }, 'ADMIN_PASSWORD must be at least 12 characters'],
  ])('refuses %j with exit 1, one clear line and no rows', async (env, message) => {
    const result = await runScript('seed', { DATABASE_URL: db.url, ...env });
    expect(result.code).toBe(1);
    expect(result.stderr.trim().split('\n')).toHaveLength(1);
    expect(result.stderr).toContain(message);
    expect(result.stderr).toContain('nothing written');
    expect(await db.prisma.user.count()).toBe(0);
    expect(await db.prisma.knowledgeArticle.count()).toBe(0);
  });
});
