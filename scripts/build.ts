// `pnpm build`: the production bundles of both servers and of the migrate and admin CLIs
// (Dockerfile, docker-compose.yml run them with plain node). Development and tests use tsx.
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { bundle, type BundleTarget } from './bundle.js';

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');

/** Each server's entry point and the file production runs (paths relative to the repository). */
export const APP_BUNDLES = [
  { entry: 'apps/auth/src/server.ts', outfile: 'apps/auth/dist/server.mjs' },
  { entry: 'apps/mcp/src/server.ts', outfile: 'apps/mcp/dist/server.mjs' },
] as const satisfies readonly BundleTarget[];

/** The one-shot CLIs the image runs (docker-compose.yml's migrate and admin), bundled the same way. */
export const CLI_BUNDLES = [
  { entry: 'packages/db/src/cli/migrate.ts', outfile: 'packages/db/dist/migrate.mjs' },
  { entry: 'apps/admin/src/cli.ts', outfile: 'apps/admin/dist/cli.mjs' },
] as const satisfies readonly BundleTarget[];

export async function buildApps(outRoot = root): Promise<BundleTarget[]> {
  const targets = [...APP_BUNDLES, ...CLI_BUNDLES].map(({ entry, outfile }) => ({ entry: path.join(root, entry), outfile: path.join(outRoot, outfile) }));
  await bundle(targets);
  return targets;
}

if (process.argv[1] && path.resolve(process.argv[1]) === fileURLToPath(import.meta.url)) {
  const started = Date.now();
  const targets = await buildApps();
  console.log(`built ${targets.map((t) => path.relative(root, t.outfile)).join(', ')} in ${Date.now() - started} ms`);
}
