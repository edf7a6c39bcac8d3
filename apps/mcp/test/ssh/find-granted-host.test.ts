import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createTestDatabase, type TestDatabase } from '@omnichat/db/testing';
import { findGrantedHost, listGrantedHosts } from '../../src/tools/ssh/find-granted-host.js';

let db: TestDatabase;
let userId: string;

beforeAll(async () => {
  db = await createTestDatabase();
  const user = await db.prisma.user.create({ data: { email: 'grantee@example.test', passwordHash: 'x' } });
  userId = user.id;
  const host = await db.prisma.sshHost.create({
    data: { name: 'build-1', address: '127.0.0.1', username: 'ci', hostKey: 'ssh-ed25519 AAAA', privateKeyEncrypted: 'sealed' },
  });
  await db.prisma.sshGrant.create({ data: { userId, hostId: host.id } });
});

afterAll(async () => {
  await db?.drop();
});

describe('findGrantedHost / listGrantedHosts (RS-28)', () => {
  it('finds the granted host for the user id as stored', async () => {
    expect((await findGrantedHost(db.prisma, userId, 'build-1')).kind).toBe('granted');
    expect((await listGrantedHosts(db.prisma, userId)).map((host) => host.name)).toEqual(['build-1']);
  });

  // The `sub` arrives as the token carries it; the other tools accept an upper-case UUID, so SSH does too.
  it('finds it for the same id in upper case', async () => {
    expect((await findGrantedHost(db.prisma, userId.toUpperCase(), 'build-1')).kind).toBe('granted');
    expect((await listGrantedHosts(db.prisma, userId.toUpperCase())).map((host) => host.name)).toEqual(['build-1']);
  });

  it('refuses a subject that is not a UUID without asking the database to cast it', async () => {
    expect((await findGrantedHost(db.prisma, 'not-a-uuid', 'build-1')).kind).toBe('not_granted');
    expect(await listGrantedHosts(db.prisma, `${userId} `)).toEqual([]);
  });

  it('refuses a host it was not granted', async () => {
    expect((await findGrantedHost(db.prisma, userId, 'build-2')).kind).toBe('host_not_approved');
  });
});
