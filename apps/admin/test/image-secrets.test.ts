// The image's two secret-handling scripts, run as the image runs them (plain node, /bin/sh) against a
// temporary directory standing in for the `secrets` volume: docker/init-secrets.mjs (compose's
// one-shot, as root) and docker/entrypoint.sh (every other service). The container run of the same
// scripts is .ci/containers/stack.sh.
import { spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, readdirSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';

import { REPO_ROOT } from '@omnichat/testkit';

const INIT = path.join(REPO_ROOT, 'docker/init-secrets.mjs');
const ENTRYPOINT = path.join(REPO_ROOT, 'docker/entrypoint.sh');
const isRoot = process.getuid?.() === 0;

let dir: string;
beforeEach(() => {
  dir = mkdtempSync(path.join(tmpdir(), 'omnichat-secrets-'));
});
afterEach(() => rmSync(dir, { recursive: true, force: true }));

/** A clean environment: only PATH, SECRETS_DIR and what the case sets. */
function run(argv: string[], env: Record<string, string> = {}) {
  const result = spawnSync(argv[0] ?? '', argv.slice(1), { env: { PATH: process.env.PATH ?? '', SECRETS_DIR: dir, ...env }, encoding: 'utf8' });
  return { status: result.status, stdout: result.stdout, stderr: result.stderr };
}
const init = (env: Record<string, string> = {}) => run([process.execPath, INIT], env);
const read = (name: string) => readFileSync(path.join(dir, name), 'utf8');

// chown to the postgres (999) and app (1000) users needs root, as init-secrets has in compose.
describe.skipIf(!isRoot)('docker/init-secrets.mjs', () => {
  it('generates both secrets once, as 0400 files owned by the one user that reads each, and never prints them', () => {
    const first = init();
    expect(first.status, first.stderr).toBe(0);
    expect(readdirSync(dir).sort()).toEqual(['database-url', 'key-encryption-secret', 'postgres-password']);
    const password = read('postgres-password');
    const key = read('key-encryption-secret');
    expect(password).toMatch(/^[A-Za-z0-9_-]{43}$/);
    expect(key).toMatch(/^[A-Za-z0-9_-]{43}$/);
    expect(read('database-url')).toBe(`postgres://omnichat:${password}@postgres:5432/omnichat`);
    expect(statSync(path.join(dir, 'postgres-password'))).toMatchObject({ uid: 999, gid: 999 });
    for (const name of ['database-url', 'key-encryption-secret']) expect(statSync(path.join(dir, name))).toMatchObject({ uid: 1000, gid: 1000 });
    for (const name of readdirSync(dir)) expect(statSync(path.join(dir, name)).mode & 0o777, name).toBe(0o400);
    expect(statSync(dir).mode & 0o777).toBe(0o711);
    expect(first.stdout.trim()).toBe(`init-secrets: POSTGRES_PASSWORD generated, KEY_ENCRYPTION_SECRET generated (${dir})`);
    expect(first.stdout + first.stderr).not.toContain(password);
    expect(first.stdout + first.stderr).not.toContain(key);

    // Every later start keeps them.
    const second = init();
    expect(second.status).toBe(0);
    expect(second.stdout).toContain('POSTGRES_PASSWORD kept, KEY_ENCRYPTION_SECRET kept');
    expect(read('postgres-password')).toBe(password);
    expect(read('key-encryption-secret')).toBe(key);
  });

  it('lets .env values win over the stored ones, URL-encoding the password', () => {
    expect(init().status).toBe(0);
    const fromEnv = init({ POSTGRES_PASSWORD: 'p@ss/word', KEY_ENCRYPTION_SECRET: 'k'.repeat(40) });
    expect(fromEnv.status, fromEnv.stderr).toBe(0);
    expect(fromEnv.stdout).toContain('POSTGRES_PASSWORD .env, KEY_ENCRYPTION_SECRET .env');
    expect(read('postgres-password')).toBe('p@ss/word');
    expect(read('database-url')).toBe('postgres://omnichat:p%40ss%2Fword@postgres:5432/omnichat');
    expect(read('key-encryption-secret')).toBe('k'.repeat(40));
  });

  it('refuses a KEY_ENCRYPTION_SECRET under 32 characters with one line, and writes nothing', () => {
    const refused = init({ KEY_ENCRYPTION_SECRET: 'too-short' });
    expect(refused.status).toBe(1);
    expect(refused.stderr.trim()).toBe('init-secrets: KEY_ENCRYPTION_SECRET must be at least 32 characters');
    expect(readdirSync(dir)).toEqual([]);
  });
});

describe('docker/entrypoint.sh', () => {
  /** What init-secrets leaves in the volume (its own run is tested above). */
  const storeSecrets = () => {
    writeFileSync(path.join(dir, 'database-url'), 'postgres://omnichat:stored@postgres:5432/omnichat', { mode: 0o400 });
    writeFileSync(path.join(dir, 'key-encryption-secret'), 's'.repeat(43), { mode: 0o400 });
  };
  const printEnv = [process.execPath, '-e', 'console.log(JSON.stringify([process.env.DATABASE_URL, process.env.KEY_ENCRYPTION_SECRET]))'];

  it('exports DATABASE_URL and KEY_ENCRYPTION_SECRET from the secrets volume before running the command', () => {
    storeSecrets();
    const result = run(['sh', ENTRYPOINT, ...printEnv]);
    expect(result.status, result.stderr).toBe(0);
    expect(JSON.parse(result.stdout)).toEqual(['postgres://omnichat:stored@postgres:5432/omnichat', 's'.repeat(43)]);
  });

  it('keeps what the environment already sets', () => {
    storeSecrets();
    const result = run(['sh', ENTRYPOINT, ...printEnv], { DATABASE_URL: 'postgres://elsewhere/db', KEY_ENCRYPTION_SECRET: 'e'.repeat(40) });
    expect(result.status, result.stderr).toBe(0);
    expect(JSON.parse(result.stdout)).toEqual(['postgres://elsewhere/db', 'e'.repeat(40)]);
  });

  it('with no DATABASE_URL anywhere: exit 1, one line naming the fix, and the command never runs', () => {
    const result = run(['sh', ENTRYPOINT, process.execPath, '-e', 'console.log("the command ran")']);
    expect(result.status).toBe(1);
    expect(result.stdout).toBe('');
    expect(result.stderr.trim().split('\n')).toEqual([`omnichat: no DATABASE_URL: set it, or start with \`docker compose up\` (its init-secrets service writes ${dir}/database-url)`]);
  });
});
