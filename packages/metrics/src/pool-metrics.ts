import { Gauge, type Registry } from 'prom-client';

/** What pg.Pool exposes about itself (read at scrape time). */
export type PoolStats = { totalCount: number; idleCount: number; waitingCount: number; options: { max?: number | undefined } };

/**
 * Database pool gauges, read from the pool when scraped (nothing on the request path):
 * connections open, idle, the pool's maximum, and queries waiting for a connection (a pool that
 * is too small, or a database that stopped answering).
 */
export function registerPoolGauges(registry: Registry, pool: PoolStats): void {
  const gauge = (name: string, help: string, read: () => number) =>
    new Gauge({
      name,
      help,
      registers: [registry],
      collect() {
        this.set(read());
      },
    });
  gauge('omnichat_db_pool_connections', 'Connections the database pool holds (idle and in use).', () => pool.totalCount);
  gauge('omnichat_db_pool_idle_connections', 'Open connections not running a query.', () => pool.idleCount);
  gauge('omnichat_db_pool_waiting_requests', 'Queries waiting for a free connection.', () => pool.waitingCount);
  gauge('omnichat_db_pool_max_connections', 'Most connections the pool may open.', () => pool.options.max ?? 10);
}
