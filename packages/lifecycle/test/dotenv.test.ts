import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { DOTENV_PATH, loadDotEnv } from '../src/dotenv.js';

const repo = path.resolve(import.meta.dirname, '../../..');

describe('.env', () => {
  let dir: string;
  beforeAll(async () => {
    dir = await mkdtemp(path.join(os.tmpdir(), 'omnichat-dotenv-'));
  });
  afterAll(async () => {
    await rm(dir, { recursive: true, force: true });
  });

  it('is the file at the repository root', () => {
    expect(DOTENV_PATH).toBe(path.join(repo, '.env'));
  });

  it('fills in unset variables; the environment wins, even when set to an empty string', async () => {
    const file = path.join(dir, '.env');
    await writeFile(file, '# comment\nISSUER=https://from-file.example\nLOG_LEVEL="debug"\nAUTH_PORT=4100\n');
    const env: NodeJS.ProcessEnv = { ISSUER: 'https://from-env.example', AUTH_PORT: '' };
    expect(loadDotEnv(file, env)).toEqual(['LOG_LEVEL']);
    expect(env).toEqual({ ISSUER: 'https://from-env.example', AUTH_PORT: '', LOG_LEVEL: 'debug' });
  });

  it('is optional', () => {
    const env: NodeJS.ProcessEnv = {};
    expect(loadDotEnv(path.join(dir, 'missing.env'), env)).toEqual([]);
    expect(env).toEqual({});
  });

  it('is an error when it exists but cannot be read', () => {
    expect(() => loadDotEnv(dir, {})).toThrow(/EISDIR/);
  });

  // Every entry point loads it first: a real run against the repository's own .env would race other
  // test files that start servers, so each entry's source is checked for the call before any read.
  it.each([
    ['scripts/start.ts', 'loadConfigOrExit('],
    ['apps/auth/src/server.ts', 'loadConfigOrExit('],
    ['apps/mcp/src/server.ts', 'loadConfigOrExit('],
    ['apps/admin/src/cli.ts', 'runAdmin('],
    ['packages/db/src/cli/run-cli.ts', 'main()'],
  ])('%s loads it before reading its configuration', async (entry, firstRead) => {
    const source = await readFile(path.join(repo, entry), 'utf8');
    const call = source.indexOf('\nloadDotEnv();') >= 0 ? source.indexOf('\nloadDotEnv();') : source.indexOf('  loadDotEnv();');
    expect(call).toBeGreaterThan(0);
    expect(call).toBeLessThan(source.indexOf(firstRead));
  });
});
