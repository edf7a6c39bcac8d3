import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createTestDatabase, type TestDatabase } from '../src/testing.js';

describe('createTestDatabase', () => {
  let first: TestDatabase;
  let second: TestDatabase;
  beforeAll(async () => {
    [first, second] = await Promise.all([createTestDatabase(), createTestDatabase()]);
  });
  afterAll(async () => {
    await Promise.all([first?.drop(), second?.drop()]);
  });

  it('gives a migrated database with every model table', async () => {
    const tables = await first.prisma.$queryRaw<{ table_name: string }[]>`
      SELECT table_name FROM information_schema.tables WHERE table_schema = 'public' ORDER BY table_name`;
    expect(tables.map((t) => t.table_name)).toEqual(
      expect.arrayContaining(['User', 'OidcPayload', 'SigningKey', 'File', 'Conversation', 'Message', 'KnowledgeArticle', '_prisma_migrations']),
    );
  });

  it('isolates databases from each other', async () => {
    await first.prisma.user.create({ data: { email: 'isolated@example.com', passwordHash: 'x' } });
    expect(await second.prisma.user.count()).toBe(0);
    expect(first.url).not.toBe(second.url);
  });

  it('drops the database', async () => {
    const throwaway = await createTestDatabase();
    await throwaway.drop();
    await expect(throwaway.prisma.user.count()).rejects.toThrow();
  });
});
