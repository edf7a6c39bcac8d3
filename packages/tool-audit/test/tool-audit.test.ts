// The tool-call audit's store against a real migrated Postgres: the batch writer (failures logged
// and counted, never thrown), retention pruning in batches, and the admin CLI's query.
import { randomUUID } from 'node:crypto';
import { createTestDatabase, type TestDatabase } from '@omnichat/db/testing';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { createToolAuditWriter, findToolCalls, pickRecordedArguments, pruneToolCalls, startToolAuditRetention, type ToolCallRow } from '../src/index.js';

let db: TestDatabase;
beforeAll(async () => {
  db = await createTestDatabase();
});
afterAll(async () => db?.drop());
beforeEach(async () => {
  await db.prisma.toolCall.deleteMany();
});

const DAY = 86_400_000;

function row(overrides: Partial<ToolCallRow> = {}): ToolCallRow {
  return {
    at: new Date(),
    userId: randomUUID(),
    clientId: 'client-1',
    tool: 'whoami',
    scopes: ['files:read'],
    decision: 'allowed',
    reason: null,
    outcome: 'ok',
    durationMs: 1.25,
    arguments: null,
    ...overrides,
  };
}

function captureLog() {
  const lines: Array<{ level: string; object: Record<string, unknown>; message: string }> = [];
  return {
    lines,
    warn: (object: object, message: string) => lines.push({ level: 'warn', object: object as Record<string, unknown>, message }),
    info: (object: object, message: string) => lines.push({ level: 'info', object: object as Record<string, unknown>, message }),
  };
}

describe('the batch writer', () => {
  it('writes every column as given, arguments with NUL escaped, in one insert per batch', async () => {
    const log = captureLog();
    const writer = createToolAuditWriter({ prisma: db.prisma, log, flushIntervalMs: 600_000 });
    const at = new Date('2026-12-01T10:00:00.123Z');
    writer.record(row({ at, userId: 'u-1', tool: 'ssh_execute', scopes: ['ssh:execute', 'files:read'], durationMs: 12.345, arguments: pickRecordedArguments({ command: 'id\0x', host: 'h' }, ['command']) }));
    writer.record(row({ userId: null, clientId: null, scopes: [], decision: 'denied', reason: 'authentication_required', outcome: null }));
    expect(writer.queued).toBe(2);
    await writer.close();
    const rows = await db.prisma.toolCall.findMany({ orderBy: { id: 'asc' } });
    expect(rows[0]).toMatchObject({ at, userId: 'u-1', tool: 'ssh_execute', scopes: ['ssh:execute', 'files:read'], durationMs: 12.345, arguments: { command: 'id\\u0000x' } });
    expect(rows[1]).toMatchObject({ userId: null, clientId: null, scopes: [], decision: 'denied', reason: 'authentication_required', outcome: null, arguments: null });
    expect(log.lines).toEqual([]);
  });

  it('logs and counts a failed write without the rows in the log, never throws, and keeps writing afterwards', async () => {
    const log = captureLog();
    const dropped: Array<[number, string]> = [];
    const writer = createToolAuditWriter({ prisma: db.prisma, log, flushIntervalMs: 600_000, onDropped: (rows, reason) => dropped.push([rows, reason]) });
    const marker = `marker-${randomUUID()}`;
    await db.prisma.$executeRawUnsafe('ALTER TABLE "ToolCall" RENAME TO "ToolCallAway"');
    try {
      writer.record(row({ userId: marker, arguments: { command: marker } }));
      writer.record(row({ userId: marker }));
      await expect(writer.flush()).resolves.toBeUndefined();
    } finally {
      await db.prisma.$executeRawUnsafe('ALTER TABLE "ToolCallAway" RENAME TO "ToolCall"');
    }
    expect(dropped).toEqual([[2, 'write_failed']]);
    expect(log.lines.map((line) => line.message)).toEqual(['tool-call audit write failed; rows dropped']);
    expect(log.lines[0]!.object).toMatchObject({ rows: 2, err: { name: expect.any(String) } });
    expect(JSON.stringify(log.lines)).not.toContain(marker);

    writer.record(row({ tool: 'after' }));
    await writer.close();
    expect(await db.prisma.toolCall.count({ where: { tool: 'after' } })).toBe(1);
    // One warning for the failed batch, not a second one from the periodic drop report.
    expect(log.lines).toHaveLength(1);
  });

  it('drops beyond maxQueuedRows with one warning per interval, and after close', async () => {
    const log = captureLog();
    const dropped: Array<[number, string]> = [];
    const writer = createToolAuditWriter({ prisma: db.prisma, log, flushIntervalMs: 600_000, batchRows: 100, maxQueuedRows: 3, onDropped: (rows, reason) => dropped.push([rows, reason]) });
    for (let i = 0; i < 5; i++) writer.record(row());
    expect(writer.queued).toBe(3);
    await writer.close();
    writer.record(row());
    expect(dropped).toEqual([[1, 'queue_full'], [1, 'queue_full'], [1, 'closed']]);
    expect(log.lines.filter((line) => line.message === 'tool-call audit rows dropped').map((line) => line.object)).toEqual([{ droppedRows: 2, reason: 'queue_full' }]);
    expect(await db.prisma.toolCall.count()).toBe(3);
  });

  it('splits a long queue into batches of batchRows', async () => {
    const writer = createToolAuditWriter({ prisma: db.prisma, log: captureLog(), flushIntervalMs: 600_000, batchRows: 7 });
    for (let i = 0; i < 30; i++) writer.record(row({ durationMs: i }));
    await writer.close();
    expect((await db.prisma.toolCall.findMany({ orderBy: { id: 'asc' } })).map((r) => r.durationMs)).toEqual(Array.from({ length: 30 }, (_, i) => i));
  });
});

describe('retention', () => {
  it('pruneToolCalls deletes only rows older than the cut-off, in batches', async () => {
    const now = Date.now();
    await db.prisma.toolCall.createMany({
      data: [...Array.from({ length: 7 }, (_, i) => ({ ...row({ at: new Date(now - (31 + i) * DAY) }), arguments: undefined })), ...Array.from({ length: 3 }, (_, i) => ({ ...row({ at: new Date(now - i * DAY) }), arguments: undefined }))],
    });
    expect(await pruneToolCalls(db.prisma, new Date(now - 30 * DAY), 2)).toBe(7);
    const left = await db.prisma.toolCall.findMany();
    expect(left).toHaveLength(3);
    expect(left.every((r) => r.at.getTime() > now - 30 * DAY)).toBe(true);
  });

  it('the schedule prunes soon after start with the configured days, logs what it did, and stops', async () => {
    const now = Date.now();
    await db.prisma.toolCall.createMany({ data: [{ ...row({ at: new Date(now - 3 * DAY) }), arguments: undefined }, { ...row({ at: new Date(now - DAY / 2) }), arguments: undefined }] });
    const log = captureLog();
    const retention = startToolAuditRetention({ prisma: db.prisma, retentionDays: 2, log, now: () => now, firstPassDelayMs: 1 });
    const deadline = Date.now() + 5_000;
    while ((await db.prisma.toolCall.count()) > 1 && Date.now() < deadline) await new Promise((resolve) => setTimeout(resolve, 20));
    await retention.stop();
    expect(await db.prisma.toolCall.count()).toBe(1);
    expect(log.lines).toEqual([{ level: 'info', object: { deletedRows: 1, retentionDays: 2 }, message: 'tool-call audit pruned' }]);
  });
});

describe('the query and --since', () => {
  it('filters by user, client, tool and time, newest first, with a limit', async () => {
    const now = Date.now();
    await db.prisma.toolCall.createMany({
      data: [
        { ...row({ at: new Date(now - 3 * 3_600_000), userId: 'a', clientId: 'c1', tool: 'whoami' }), arguments: undefined },
        { ...row({ at: new Date(now - 60_000), userId: 'a', clientId: 'c2', tool: 'whoami' }), arguments: undefined },
        { ...row({ at: new Date(now - 30_000), userId: 'b', clientId: 'c1', tool: 'chat_history' }), arguments: undefined },
      ],
    });
    const users = async (filter: Parameters<typeof findToolCalls>[1]) => (await findToolCalls(db.prisma, filter)).map((r) => `${r.userId}/${r.clientId}/${r.tool}`);
    expect(await users({ limit: 10 })).toEqual(['b/c1/chat_history', 'a/c2/whoami', 'a/c1/whoami']);
    expect(await users({ userId: 'a', limit: 10 })).toEqual(['a/c2/whoami', 'a/c1/whoami']);
    expect(await users({ clientId: 'c1', tool: 'whoami', limit: 10 })).toEqual(['a/c1/whoami']);
    expect(await users({ since: new Date(now - 2 * 3_600_000), limit: 10 })).toEqual(['b/c1/chat_history', 'a/c2/whoami']);
    expect(await users({ limit: 1 })).toEqual(['b/c1/chat_history']);
    expect(typeof (await findToolCalls(db.prisma, { limit: 1 }))[0]!.id).toBe('string');
  });

});
