// `.env` at the repository root, read by every entry point (pnpm start, both servers, every CLI)
// before its configuration is parsed. The environment wins: a variable already set (by the shell,
// docker compose, CI) is never replaced. A missing .env is fine; an unreadable one is an error.
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseEnv } from 'node:util';

export const DOTENV_PATH = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../../../.env');

/** Copies the variables of `file` that `env` does not set into `env`; returns the names it set. */
export function loadDotEnv(file: string = DOTENV_PATH, env: NodeJS.ProcessEnv = process.env): string[] {
  let text: string;
  try {
    text = readFileSync(file, 'utf8');
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ENOENT') return [];
    throw error;
  }
  const set: string[] = [];
  for (const [name, value] of Object.entries(parseEnv(text))) {
    if (env[name] !== undefined) continue;
    env[name] = value;
    set.push(name);
  }
  return set;
}
