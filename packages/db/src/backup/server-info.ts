import type pg from 'pg';

/** The server's version string and major, e.g. "15.20" and 15. */
export async function serverVersion(client: pg.Client): Promise<{ version: string; major: number }> {
  const { rows } = await client.query<{ num: string; version: string }>("SELECT current_setting('server_version_num') AS num, current_setting('server_version') AS version");
  const num = Number(rows[0]?.num);
  return { version: (rows[0]?.version ?? '').split(' ')[0] ?? '', major: Math.floor(num / 10_000) };
}

/** Tables, views, sequences and the like outside Postgres's own schemas: what "not empty" means. */
export async function userRelations(client: pg.Client): Promise<string[]> {
  const { rows } = await client.query<{ name: string }>(`
    SELECT format('%I.%I', n.nspname, c.relname) AS name
      FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace
     WHERE c.relkind IN ('r', 'p', 'v', 'm', 'S', 'f')
       AND n.nspname NOT IN ('pg_catalog', 'information_schema') AND n.nspname NOT LIKE 'pg\\_toast%' AND n.nspname NOT LIKE 'pg\\_temp%'
     ORDER BY 1`);
  return rows.map((row) => row.name);
}
