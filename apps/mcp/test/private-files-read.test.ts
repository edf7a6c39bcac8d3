import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startTestBed, type McpTestBed } from './helpers/fixtures.js';
import { callTool } from '@omnichat/testkit';

// private_files_read runs one prepared statement on the Prisma client's pool instead of a Prisma
// query (bench/, mcp.toolcall.db); these pin what Prisma used to guarantee for it.
let bed: McpTestBed;
let alice: string;
let token: string;
const savedTz = process.env.TZ;

beforeAll(async () => {
  bed = await startTestBed();
  alice = await bed.createUser('alice@example.com');
  token = await bed.token(alice, 'files:read');
});
afterAll(async () => {
  process.env.TZ = savedTz;
  await bed?.close();
});

describe('private_files_read on the SQL pool', () => {
  it.each(['UTC', 'America/New_York', 'Asia/Kathmandu'])('returns updatedAt as the instant Prisma stored, with the process in %s', async (zone) => {
    const path = `tz/${zone.replace('/', '-')}.txt`;
    const updatedAt = new Date('2026-01-02T03:04:05.678Z');
    await bed.prisma.file.create({ data: { userId: alice, path, content: 'x', sizeBytes: 1, updatedAt } });
    process.env.TZ = zone;
    const read = await callTool(bed.server.url, 'private_files_read', { path }, token);
    process.env.TZ = savedTz;
    expect(read.structuredContent).toEqual({ path, content: 'x', sizeBytes: 1, updatedAt: '2026-01-02T03:04:05.678Z' });
  });

  it('returns content byte for byte, including characters outside the BMP', async () => {
    const content = 'line 1\nemoji 🧪 and NUL-free \u00e9';
    await bed.prisma.file.create({ data: { userId: alice, path: 'exact.txt', content, sizeBytes: Buffer.byteLength(content) } });
    const read = await callTool(bed.server.url, 'private_files_read', { path: 'exact.txt' }, token);
    expect(read.content[0]!.text).toBe(content);
    expect(read.structuredContent.sizeBytes).toBe(Buffer.byteLength(content));
  });

  it('refuses a path that is not there with the same answer as for another user\'s file', async () => {
    const read = await callTool(bed.server.url, 'private_files_read', { path: 'nope.txt' }, token);
    expect(read).toEqual({ isError: true, content: [{ type: 'text', text: 'File not found: nope.txt' }] });
  });
});
