// The timeline's bounds and its recorder, against a real Postgres: retention and the row cap
// prune in batches; a recorder whose database is gone logs and drops, never throws.
import { createPrismaClient } from '@omnichat/db';
import { createTestDatabase, type TestDatabase } from '@omnichat/db/testing';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';

import { buildAttempts, createDoctorRecorder, findConnectionEvents, pruneConnectionEvents, type ConnectionEventInput } from '../src/index.js';

let db: TestDatabase;
const HOUR = 3_600_000;
const NOW = new Date('2026-12-03T12:00:00Z');

beforeAll(async () => {
  db = await createTestDatabase();
});
afterAll(async () => db?.drop());
beforeEach(async () => {
  await db.prisma.connectionEvent.deleteMany();
});

const silent = { warn: () => {} };

async function insert(events: ConnectionEventInput[]): Promise<void> {
  const recorder = createDoctorRecorder({ prisma: db.prisma, log: silent, batchSize: 1_000, maxQueue: 100_000 });
  for (const event of events) recorder.record(event);
  await recorder.close();
}

const step = (hoursAgo: number, extra: Partial<ConnectionEventInput> = {}): ConnectionEventInput => ({
  step: 'token', outcome: 'ok', detail: 'tokens issued', clientId: 'c1', source: '192.0.2.1', at: new Date(NOW.getTime() - hoursAgo * HOUR), ...extra,
});

describe('retention and size bounds', () => {
  it('deletes steps older than the retention, in batches, and keeps the rest', async () => {
    await insert([...Array.from({ length: 25 }, () => step(80)), ...Array.from({ length: 5 }, () => step(1))]);
    const result = await pruneConnectionEvents(db.prisma, { retentionHours: 72, batchRows: 10, now: () => NOW });
    expect(result).toEqual({ expired: 25, overCap: 0 });
    expect(await db.prisma.connectionEvent.count()).toBe(5);
    expect(await db.prisma.connectionEvent.count({ where: { at: { lt: new Date(NOW.getTime() - 72 * HOUR) } } })).toBe(0);
  });

  it('caps the table: past maxRows the oldest go first, whatever their age', async () => {
    await insert(Array.from({ length: 47 }, (_, index) => step(2, { detail: `step ${index}` })));
    const result = await pruneConnectionEvents(db.prisma, { retentionHours: 72, maxRows: 20, batchRows: 7, now: () => NOW });
    expect(result).toEqual({ expired: 0, overCap: 27 });
    const kept = await db.prisma.connectionEvent.findMany({ orderBy: { id: 'asc' }, select: { detail: true } });
    expect(kept.map((row) => row.detail)).toEqual(Array.from({ length: 20 }, (_, index) => `step ${index + 27}`));
  });

  it('a recorder whose database is unreachable logs the failure and drops the batch; record never throws', async () => {
    const dead = createPrismaClient('postgres://postgres@127.0.0.1:1/none', { maxConnections: 1 });
    const warnings: string[] = [];
    const recorder = createDoctorRecorder({ prisma: dead, log: { warn: (_object, message) => warnings.push(message) }, maxQueue: 3 });
    for (let index = 0; index < 5; index += 1) expect(() => recorder.record(step(0))).not.toThrow();
    await expect(recorder.close()).resolves.toBeUndefined();
    expect(recorder.dropped).toBe(2);
    expect(warnings).toEqual(['connection doctor: could not record steps', 'connection doctor: queue full, steps dropped']);
    await dead.$disconnect();
  });

  it('bounds what a client can make it store: long text is cut, a non-uuid user id is dropped', async () => {
    await insert([step(0, { userId: 'not-a-uuid', detail: 'x'.repeat(5_000), facts: { redirectUri: `https://e.example/${'a'.repeat(5_000)}`, redirectUris: Array.from({ length: 50 }, (_, i) => `u${i}`) } })]);
    const [row] = await db.prisma.connectionEvent.findMany();
    expect(row?.userId).toBeNull();
    expect(row?.detail.length).toBeLessThanOrEqual(301);
    const facts = row?.facts as { redirectUri: string; redirectUris: string[] };
    expect(facts.redirectUri.length).toBeLessThanOrEqual(301);
    expect(facts.redirectUris).toHaveLength(20);
  });
});

describe('attempts', () => {
  it('joins client-less discovery from the same source, starts a new attempt when the client starts over, diagnoses the decisive failure', async () => {
    const t = (minutes: number) => new Date(NOW.getTime() + minutes * 60_000);
    await insert([
      { step: 'discovery', outcome: 'failed', rule: 'discovery.not_found', detail: 'GET /.well-known/oauth-protected-resource/mcp/ → 404', source: '192.0.2.9', at: t(0), facts: { path: '/.well-known/oauth-protected-resource/mcp/', status: 404 } },
      { step: 'discovery', outcome: 'ok', detail: 'GET /.well-known/oauth-protected-resource/mcp → 200', source: '192.0.2.9', at: t(0.1) },
      { step: 'discovery', outcome: 'ok', detail: 'someone else', source: '198.51.100.7', at: t(0.1) },
      { step: 'registration', outcome: 'ok', detail: 'registered', clientId: 'c9', source: '192.0.2.9', at: t(0.2) },
      { step: 'authorize', outcome: 'failed', rule: 'redirect_uri.unregistered', detail: 'invalid_redirect_uri', clientId: 'c9', source: '192.0.2.9', at: t(0.3), facts: { redirectUri: 'http://localhost:53123/callback', redirectUris: ['http://localhost:8080/callback'] } },
      { step: 'authorize', outcome: 'ok', detail: 'accepted', clientId: 'c9', source: '192.0.2.9', at: t(2) },
      { step: 'token', outcome: 'ok', detail: 'issued', clientId: 'c9', source: '192.0.2.9', at: t(3) },
    ]);
    const attempts = buildAttempts(await findConnectionEvents(db.prisma, { since: t(-10), clientIds: ['c9'] }));
    expect(attempts.map((attempt) => attempt.steps.map((s) => s.step))).toEqual([['authorize', 'token'], ['discovery', 'discovery', 'registration', 'authorize']]);
    const [latest, first] = attempts;
    expect(latest?.diagnosis).toBeUndefined();
    expect(latest?.failed).toBe(false);
    // The 404 was followed by a good fetch: the redirect URI is what broke the first attempt.
    expect(first?.diagnosis).toBe('authorize failed [redirect_uri.unregistered]: redirect_uri http://localhost:53123/callback is not registered for this client (registered: http://localhost:8080/callback); fix: loopback URIs match any port only when registered without one: register the URI without its port, or send the exact registered one (RFC 8252 §7.3, RFC 9700 §4.1.3)');
    expect(first?.failed).toBe(true);
    // Unnarrowed, the other source's discovery is its own attempt without a client.
    const all = buildAttempts(await findConnectionEvents(db.prisma, { since: t(-10) }), { includeUnattributed: true });
    expect(all.filter((attempt) => attempt.client_id === null).map((attempt) => attempt.steps[0]?.detail)).toEqual(['someone else']);
  });
});
