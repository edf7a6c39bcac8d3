// Runs one of the db CLIs the way `pnpm db:*` does (tsx, a separate process) with a chosen env.
import { spawn } from 'node:child_process';
import { createRequire } from 'node:module';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

const require = createRequire(import.meta.url);
const TSX_CLI = require.resolve('tsx/cli');
const PACKAGE_DIR = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');

export interface ScriptResult {
  code: number | null;
  stdout: string;
  stderr: string;
}

export function runScript(script: 'migrate' | 'migration' | 'seed', env: Record<string, string>, args: string[] = []): Promise<ScriptResult> {
  const inherited = { ...process.env };
  for (const name of ['DATABASE_URL', 'ADMIN_EMAIL', 'ADMIN_PASSWORD', 'EMBEDDED_PG_PORT']) delete inherited[name];
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, [TSX_CLI, path.join('src/cli', `${script}.ts`), ...args], {
      cwd: PACKAGE_DIR,
      env: { ...inherited, ...env },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (chunk: Buffer) => (stdout += chunk.toString()));
    child.stderr.on('data', (chunk: Buffer) => (stderr += chunk.toString()));
    child.on('error', reject);
    child.on('close', (code) => resolve({ code, stdout, stderr }));
  });
}
