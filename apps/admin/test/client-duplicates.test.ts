import { createTestDatabase, type TestDatabase } from '@omnichat/db/testing';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';

import { admin } from './helpers/run.js';

// Issue 14 §6: client:list and clients:prune say which registrations repeat an earlier one.
const HOUR_MS = 3600_000;
const CLAUDE = ['https://claude.ai/api/mcp/auth_callback'];
let db: TestDatabase;

beforeAll(async () => {
  db = await createTestDatabase();
  const base = Date.now() - 30 * 24 * HOUR_MS;
  // Rows shaped as oidc-provider writes them; `hoursAfter` orders the registrations.
  const client = (id: string, name: string, redirectUris: string[], hoursAfter: number) =>
    db.prisma.oidcPayload.create({
      data: { model: 'Client', id, createdAt: new Date(base + hoursAfter * HOUR_MS), payload: { client_id: id, client_name: name, redirect_uris: redirectUris, token_endpoint_auth_method: 'none' } },
    });
  await client('claude-1', 'Claude', CLAUDE, 0);
  await client('claude-2', 'Claude', CLAUDE, 1);
  await client('claude-3', 'Claude', CLAUDE, 2);
  await client('other-name', 'Claude Code', CLAUDE, 3);
  await client('other-uris', 'Claude', ['https://claude.com/api/mcp/auth_callback'], 4);
  await client('two-uris-a', 'Inspector', ['http://localhost:6274/oauth/callback', 'http://localhost/callback'], 5);
  await client('two-uris-b', 'Inspector', ['http://localhost/callback', 'http://localhost:6274/oauth/callback'], 6);
});
afterAll(async () => {
  await db?.drop();
});

describe('duplicate registrations', () => {
  it('client:list names the original of each repeat (same name and redirect URIs, any order)', async () => {
    const run = await admin(db.prisma, ['client:list', '--json']);
    expect(run.code).toBe(0);
    const listed = Object.fromEntries((JSON.parse(run.stdout) as { clientId: string; duplicateOf: string | null }[]).map((c) => [c.clientId, c.duplicateOf]));
    expect(listed).toEqual({
      'claude-1': null, 'claude-2': 'claude-1', 'claude-3': 'claude-1',
      'other-name': null, 'other-uris': null, 'two-uris-a': null, 'two-uris-b': 'two-uris-a',
    });
    const text = await admin(db.prisma, ['client:list']);
    expect(text.stdout).toContain('duplicate of');
    expect(text.stdout).toContain('3 registration(s) repeat an earlier one');
  });

  it('clients:prune --dry-run shows which pruned registrations are repeats, and deletes nothing', async () => {
    const run = await admin(db.prisma, ['clients:prune', '--days', '7', '--dry-run', '--json']);
    expect(run.code).toBe(0);
    const pruned = (JSON.parse(run.stdout) as { pruned: { clientId: string; duplicateOf: string | null }[] }).pruned;
    expect(pruned.find((c) => c.clientId === 'claude-3')?.duplicateOf).toBe('claude-1');
    expect(pruned.find((c) => c.clientId === 'claude-1')?.duplicateOf).toBeNull();
    expect(await db.prisma.oidcPayload.count({ where: { model: 'Client' } })).toBe(7);
  });
});
