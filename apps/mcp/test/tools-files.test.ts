import { randomUUID } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { MAX_FILE_BYTES, MAX_USER_BYTES } from '../src/tools/files/file-limits.js';
import { startTestBed, type McpTestBed } from './helpers/fixtures.js';
import { callTool, postMcp, rpc } from '@omnichat/testkit';

let bed: McpTestBed;
let alice: string;
let bob: string;
let aliceToken: string;
let bobToken: string;

beforeAll(async () => {
  bed = await startTestBed();
  alice = await bed.createUser('alice@example.com');
  bob = await bed.createUser('bob@example.com');
  aliceToken = await bed.token(alice, 'files:read files:write');
  bobToken = await bed.token(bob, 'files:read files:write');
});
afterAll(async () => bed?.close());

const call = (name: string, args: Record<string, unknown>, token: string) => callTool(bed.server.url, name, args, token);

describe('private file tools', () => {
  it('writes, reads, lists, replaces and deletes a file', async () => {
    const written = await call('private_files_write', { path: 'notes/todo.md', content: 'buy milk' }, aliceToken);
    expect(written.structuredContent).toEqual({ path: 'notes/todo.md', sizeBytes: 8, created: true });

    const read = await call('private_files_read', { path: 'notes/todo.md' }, aliceToken);
    expect(read.content[0]!.text).toBe('buy milk');
    expect(read.structuredContent).toMatchObject({ path: 'notes/todo.md', content: 'buy milk', sizeBytes: 8 });

    const replaced = await call('private_files_write', { path: 'notes/todo.md', content: 'buy oat milk ☕' }, aliceToken);
    expect(replaced.structuredContent).toEqual({ path: 'notes/todo.md', sizeBytes: 16, created: false });

    await call('private_files_write', { path: 'b.txt', content: '' }, aliceToken);
    const listed = await call('private_files_list', {}, aliceToken);
    expect(listed.structuredContent.files.map((f: { path: string }) => f.path)).toEqual(['b.txt', 'notes/todo.md']);
    const prefixed = await call('private_files_list', { prefix: 'notes/' }, aliceToken);
    expect(prefixed.structuredContent.files).toHaveLength(1);

    const deleted = await call('private_files_delete', { path: 'b.txt' }, aliceToken);
    expect(deleted.structuredContent).toEqual({ path: 'b.txt', deleted: true });
    const missing = await call('private_files_read', { path: 'b.txt' }, aliceToken);
    expect(missing).toEqual({ isError: true, content: [{ type: 'text', text: 'File not found: b.txt' }] });
  });

  it('stores paths in NFC so two spellings are one file', async () => {
    await call('private_files_write', { path: 'Re\u0301sume\u0301.txt', content: 'v1' }, aliceToken);
    const read = await call('private_files_read', { path: 'R\u00e9sum\u00e9.txt' }, aliceToken);
    expect(read.content[0]!.text).toBe('v1');
  });
});

describe('one user never touches another user\'s files (docs/security.md RS-27)', () => {
  beforeAll(async () => {
    await call('private_files_write', { path: 'secret.txt', content: 'alice only' }, aliceToken);
  });

  it('bob cannot read alice\'s file: the same answer as a missing file', async () => {
    const theirs = await call('private_files_read', { path: 'secret.txt' }, bobToken);
    const missing = await call('private_files_read', { path: 'never-existed.txt' }, bobToken);
    expect(theirs).toEqual({ isError: true, content: [{ type: 'text', text: 'File not found: secret.txt' }] });
    expect(missing.content[0]!.text).toBe('File not found: never-existed.txt');
  });

  it('bob does not see alice\'s files in his list', async () => {
    const listed = await call('private_files_list', {}, bobToken);
    expect(listed.structuredContent.files.some((f: { path: string }) => f.path === 'secret.txt')).toBe(false);
  });

  it('bob writing the same path creates his own file and leaves alice\'s intact', async () => {
    const written = await call('private_files_write', { path: 'secret.txt', content: 'bob was here' }, bobToken);
    expect(written.structuredContent.created).toBe(true);
    expect((await call('private_files_read', { path: 'secret.txt' }, aliceToken)).content[0]!.text).toBe('alice only');
  });

  it('bob deleting the path deletes only his file', async () => {
    await call('private_files_delete', { path: 'secret.txt' }, bobToken);
    expect((await call('private_files_delete', { path: 'secret.txt' }, bobToken)).isError).toBe(true);
    expect((await call('private_files_read', { path: 'secret.txt' }, aliceToken)).content[0]!.text).toBe('alice only');
  });

  it('an id in the arguments is refused, never used as the owner', async () => {
    const result = await call('private_files_read', { path: 'secret.txt', userId: alice }, bobToken);
    expect(result.isError).toBe(true);
    expect(result.content[0]!.text).toContain('Unrecognized key');
  });
});

describe('what models send: a leading "/" is the root of the user\'s files (issue 14 §5)', () => {
  it('writes, lists, reads and deletes "/test" as "test"', async () => {
    const written = await call('private_files_write', { path: '/test', content: 'from the root' }, aliceToken);
    expect(written.structuredContent).toEqual({ path: 'test', sizeBytes: 13, created: true });
    expect((await call('private_files_read', { path: '/test' }, aliceToken)).content[0]!.text).toBe('from the root');
    expect((await call('private_files_read', { path: 'test' }, aliceToken)).content[0]!.text).toBe('from the root');
    const everything = await call('private_files_list', { prefix: '/' }, aliceToken);
    expect(everything.structuredContent.files.map((file: { path: string }) => file.path)).toContain('test');
    const prefixed = await call('private_files_list', { prefix: '/te' }, aliceToken);
    expect(prefixed.structuredContent.files.map((file: { path: string }) => file.path)).toEqual(['test']);
    expect((await call('private_files_delete', { path: '/test' }, aliceToken)).structuredContent).toEqual({ path: 'test', deleted: true });
  });

  it('says so in the tool descriptions', async () => {
    const reply = await postMcp(bed.server.url, rpc('tools/list'), { token: aliceToken });
    const tools = new Map<string, any>(reply.body.result.tools.map((tool: any) => [tool.name, tool]));
    for (const name of ['private_files_read', 'private_files_write', 'private_files_delete']) {
      expect(tools.get(name).inputSchema.properties.path.description).toMatch(/leading "\/" is the root of your files/);
    }
    expect(tools.get('private_files_list').inputSchema.properties.prefix.description).toMatch(/leading "\/" is the root/);
  });
});

describe('path traversal and write abuse are refused with no side effect (RS-26, RS-32)', () => {
  it.each([
    ['../../etc/passwd', 'path must not contain "." or ".." segments'],
    ['/../etc/passwd', 'path must not contain "." or ".." segments'],
    ['//server/share', 'path has an empty segment ("//")'],
    ['/', 'path "/" is the root folder; name a file such as "/notes.md"'],
    ['C:/Windows/win.ini', 'path must not start with a drive letter'],
    ['/a\\b', 'use "/" to separate folders, not "\\"'],
    ['..%2f..%2fetc%2fpasswd', 'path contains percent-escapes'],
    ['a/../../x', 'path must not contain "." or ".." segments'],
    ['..\\..\\x', 'use "/" to separate folders, not "\\"'],
    ['\uff0e\uff0e/x', 'path contains look-alike dot or slash characters'],
    ['a\u0000.txt', 'path contains control or invisible characters'],
    ['../bob/notes.md', 'path must not contain "." or ".." segments'],
    ['a'.repeat(300), 'path is longer than 255 characters'],
    [Array.from({ length: 300 }, () => 'd').join('/'), 'path is longer than 255 characters'],
    [Array.from({ length: 20 }, () => 'd').join('/'), 'path is nested deeper than 16 folders'],
  ])('refuses %j', async (path, reason) => {
    for (const [tool, args] of [
      ['private_files_write', { path, content: 'x' }],
      ['private_files_read', { path }],
      ['private_files_delete', { path }],
    ] as const) {
      const result = await call(tool, args, aliceToken);
      expect(result).toEqual({ isError: true, content: [{ type: 'text', text: `Invalid arguments for ${tool}: path: ${reason}` }] });
    }
    expect(await bed.prisma.file.count({ where: { userId: alice, content: 'x' } })).toBe(0);
  });

  it('refuses a file over the per-file limit (counted in UTF-8 bytes)', async () => {
    const content = 'é'.repeat(MAX_FILE_BYTES / 2 + 1);
    const result = await call('private_files_write', { path: 'big.txt', content }, aliceToken);
    expect(result).toEqual({
      isError: true,
      content: [{ type: 'text', text: `File too large: ${MAX_FILE_BYTES + 2} bytes (limit ${MAX_FILE_BYTES})` }],
    });
    expect((await call('private_files_read', { path: 'big.txt' }, aliceToken)).isError).toBe(true);
  });

  it('accepts a file of exactly the per-file limit', async () => {
    const result = await call('private_files_write', { path: 'exact.txt', content: 'a'.repeat(MAX_FILE_BYTES) }, aliceToken);
    expect(result.structuredContent.sizeBytes).toBe(MAX_FILE_BYTES);
    await call('private_files_delete', { path: 'exact.txt' }, aliceToken);
  });

  it('enforces the per-user quota, counting a replaced file once', async () => {
    const carol = await bed.createUser();
    const token = await bed.token(carol, 'files:read files:write');
    await bed.prisma.file.create({ data: { userId: carol, path: 'ballast.bin', content: '', sizeBytes: MAX_USER_BYTES - 10 } });
    expect((await call('private_files_write', { path: 'small.txt', content: '0123456789' }, token)).isError).toBeUndefined();
    const over = await call('private_files_write', { path: 'more.txt', content: 'x' }, token);
    expect(over.isError).toBe(true);
    expect(over.content[0]!.text).toBe(`Storage quota exceeded: ${MAX_USER_BYTES} of ${MAX_USER_BYTES} bytes used, this file needs 1`);
    // Replacing small.txt with the same size still fits: its old size is not counted twice.
    expect((await call('private_files_write', { path: 'small.txt', content: 'abcdefghij' }, token)).isError).toBeUndefined();
  });

  it('concurrent writes cannot overrun the quota together', async () => {
    const dave = await bed.createUser();
    const token = await bed.token(dave, 'files:write');
    await bed.prisma.file.create({ data: { userId: dave, path: 'ballast.bin', content: '', sizeBytes: MAX_USER_BYTES - 100 } });
    const results = await Promise.all(
      Array.from({ length: 5 }, (_, i) => call('private_files_write', { path: `f${i}.txt`, content: 'x'.repeat(60) }, token)),
    );
    expect(results.filter((r) => !r.isError)).toHaveLength(1);
    const total = await bed.prisma.file.aggregate({ where: { userId: dave }, _sum: { sizeBytes: true } });
    expect(total._sum.sizeBytes).toBeLessThanOrEqual(MAX_USER_BYTES);
  });

  it('a token whose subject has no account here cannot write', async () => {
    const ghost = await bed.token(randomUUID(), 'files:write');
    const result = await call('private_files_write', { path: 'a.txt', content: 'x' }, ghost);
    expect(result).toEqual({ isError: true, content: [{ type: 'text', text: 'This account has no data on this server' }] });
    const notUuid = await bed.token('alice', 'files:read');
    expect((await call('private_files_list', {}, notUuid)).content[0]!.text).toBe('This account has no data on this server');
  });
});

describe('whoami', () => {
  it('returns the stable id, email and granted scopes', async () => {
    const result = await call('whoami', {}, aliceToken);
    expect(result.structuredContent).toEqual({ id: alice, email: 'alice@example.com', email_verified: false, scopes: ['files:read', 'files:write'] });
    expect(result.content[0]!.text).toContain(alice);
  });

  it('works with any valid token, even one without scopes, and prefers the token\'s email', async () => {
    const token = await bed.token(bob, '', { claims: { email: 'bob@token.example' } });
    const result = await call('whoami', {}, token);
    expect(result.structuredContent).toEqual({ id: bob, email: 'bob@token.example', email_verified: false, scopes: [] });
  });
});
