import { Registry } from 'prom-client';

/** Which app a registry belongs to: the `app` label on every series it exposes. */
export type AppName = 'auth' | 'mcp';

/**
 * One registry per app, never prom-client's global one: `pnpm start` runs both apps in one
 * process, and each must expose only its own series. `app` is a default label, added when the
 * registry is rendered (no cost per observation).
 */
export function createAppRegistry(app: AppName): Registry {
  const registry = new Registry();
  registry.setDefaultLabels({ app });
  return registry;
}
