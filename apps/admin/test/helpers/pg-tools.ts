import { findPostgresTool } from '@omnichat/db';
import { withAdminClient } from '@omnichat/db/testing';
import { inject } from 'vitest';

/**
 * Whether pg_dump and pg_restore of the test server's major version are on this machine. CI has
 * them (Debian's client of its Postgres); a developer whose tests fell back to the embedded
 * Postgres 17 may not, and their backup tests are skipped with the reason instead of failing.
 * Under CI=true a missing tool is a failure (the suite must not silently test less).
 */
export async function postgresToolsOrSkipReason(): Promise<string | undefined> {
  const { adminUrl } = inject('omnichatTestDatabase');
  const major = await withAdminClient(adminUrl, async (client) => Math.floor(Number((await client.query<{ v: string }>("SELECT current_setting('server_version_num') AS v")).rows[0]?.v) / 10_000));
  try {
    await findPostgresTool('pg_dump', major, process.env);
    await findPostgresTool('pg_restore', major, process.env);
    return undefined;
  } catch (error) {
    if (process.env.CI === 'true') throw error;
    return (error as Error).message;
  }
}
