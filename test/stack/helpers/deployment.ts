import { readFileSync } from 'node:fs';
import path from 'node:path';

import { PASSWORD_ENV } from '@omnichat/admin/testing';
import { AUTH_ENV_VARS } from '@omnichat/auth/testing';
import { ADMIN_ENV_VARS } from '@omnichat/config';
import { PG_BIN_DIR_ENV } from '@omnichat/db';
import { MCP_ENV_VARS } from '@omnichat/mcp/testing';
import { REPO_ROOT } from '@omnichat/testkit';

/**
 * The database settings every process reads through resolveDatabase, taken from the `DatabaseEnv`
 * interface in packages/db (a type, so its keys are read from the source rather than restated).
 */
export function databaseEnvVars(): string[] {
  const source = readFileSync(path.join(REPO_ROOT, 'packages/db/src/database.ts'), 'utf8');
  const body = /interface DatabaseEnv \{([\s\S]*?)\n\}/.exec(source)?.[1] ?? '';
  const keys = [...body.matchAll(/^\s+([A-Z][A-Z0-9_]*)\??:/gm)].map((match) => match[1] ?? '');
  if (keys.length === 0) throw new Error('DatabaseEnv not found in packages/db/src/database.ts');
  return keys;
}

/** What each service's process reads from its environment, derived from the config modules. */
export function envReadBy(): { auth: Set<string>; mcp: Set<string>; migrate: Set<string>; admin: Set<string> } {
  const database = databaseEnvVars();
  return {
    auth: new Set([...AUTH_ENV_VARS, ...database]),
    mcp: new Set([...MCP_ENV_VARS, ...database]),
    migrate: new Set(database),
    // keys:*, ssh:host:add, idp:* load the admin part of the config; user:* read the password variable; backup/restore PG_BIN_DIR.
    admin: new Set([...ADMIN_ENV_VARS, ...database, PASSWORD_ENV, 'ADMIN_DEBUG', PG_BIN_DIR_ENV]),
  };
}
