// As root (a fresh cloud VM: `git clone … /root/omnichat`, /root mode 700) the embedded server runs
// as `postgres`, which cannot enter the checkout: the cluster and a copy of its binaries live where
// it can (rootClusterHome), owned by it, mode 700.
import { statSync } from 'node:fs';
import { chmod, mkdir, mkdtemp, rm } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { execFileSync } from 'node:child_process';
import pg from 'pg';
import { afterAll, describe, expect, it } from 'vitest';
import { rootClusterHome, startEmbeddedPostgres, type RunningPostgres } from '../src/embedded-postgres.js';

const asRoot = process.getuid?.() === 0;

describe.runIf(asRoot)('embedded Postgres started by root from a mode-700 directory', () => {
  let home: string | undefined;
  let running: RunningPostgres | undefined;
  let checkout: string | undefined;
  afterAll(async () => {
    await running?.stop();
    if (checkout) await rm(path.dirname(checkout), { recursive: true, force: true });
    if (home) await rm(home, { recursive: true, force: true });
  });

  it('starts, serves, and keeps everything the postgres user touches out of the checkout', async () => {
    const privateHome = await mkdtemp(path.join(os.tmpdir(), 'omnichat-root-home-'));
    await chmod(privateHome, 0o700);
    checkout = path.join(privateHome, 'omnichat');
    const dir = path.join(checkout, '.data/postgres');
    await mkdir(dir, { recursive: true });
    // The postgres user really cannot enter it (the case this handles).
    expect(() => execFileSync('su', ['-s', '/bin/sh', 'postgres', '-c', `ls ${checkout}`], { stdio: 'pipe' })).toThrow();

    home = rootClusterHome(dir);
    running = await startEmbeddedPostgres({ dir, database: 'newcomer' });
    const client = new pg.Client({ connectionString: running.url });
    await client.connect();
    const { rows } = await client.query<{ user: string }>('SELECT current_user AS user');
    await client.end();
    expect(rows).toEqual([{ user: 'postgres' }]);

    const postgresUid = Number(execFileSync('id', ['-u', 'postgres'], { encoding: 'utf8' }).trim());
    const homeStat = statSync(home);
    expect(homeStat.uid).toBe(postgresUid);
    expect(homeStat.mode & 0o777).toBe(0o700);
    expect(statSync(path.join(home, 'data', 'PG_VERSION')).uid).toBe(postgresUid);
    // The checkout stayed private: nothing was chmod-ed open.
    expect(statSync(privateHome).mode & 0o777).toBe(0o700);

    await running.stop();
    running = undefined;
    // A second start reuses the cluster and the copied binaries.
    running = await startEmbeddedPostgres({ dir, database: 'newcomer' });
    await running.stop();
    running = undefined;
  });
});
