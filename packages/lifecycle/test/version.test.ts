import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { readFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';

import { afterAll, beforeAll, describe, expect, it } from 'vitest';

import { APP_VERSION, readAppVersion } from '../src/version.js';

let dir: string;
beforeAll(async () => {
  dir = await mkdtemp(path.join(os.tmpdir(), 'omnichat-version-'));
});
afterAll(async () => {
  await rm(dir, { recursive: true, force: true });
});

describe('the one version', () => {
  it('is the root package.json version', () => {
    const root = JSON.parse(readFileSync(path.resolve(import.meta.dirname, '../../../package.json'), 'utf8')) as { version: string };
    expect(APP_VERSION).toBe(root.version);
    expect(APP_VERSION).toMatch(/^\d+\.\d+\.\d+/);
  });

  it.each([
    ['no version', {}],
    ['a version that is not semver', { version: 'latest' }],
    ['a number', { version: 1 }],
  ])('refuses a package.json with %s, naming the file', async (_label, content) => {
    const file = path.join(dir, `package-${Math.random().toString(36).slice(2)}.json`);
    await writeFile(file, JSON.stringify(content));
    expect(() => readAppVersion(file)).toThrow(/has no semantic "version"/);
  });
});
