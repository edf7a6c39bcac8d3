// The one version of OmniChat Auth: the root package.json's `version`. MCP `serverInfo`, both apps'
// `/healthz` and `pnpm admin --version` report it. Read from the file at start-up (one source, no
// copy to keep in step); the bundles find it too, because scripts/bundle.ts rewrites
// `import.meta.url` to this source file's location.
import { readFileSync } from 'node:fs';

export const ROOT_PACKAGE_JSON = new URL('../../../package.json', import.meta.url);

/** `version` of the package.json at `file` (the repository's root one by default). */
export function readAppVersion(file: URL | string = ROOT_PACKAGE_JSON): string {
  const { version } = JSON.parse(readFileSync(file, 'utf8')) as { version?: unknown };
  if (typeof version !== 'string' || !/^\d+\.\d+\.\d+(?:[-+][0-9A-Za-z.-]+)?$/.test(version)) {
    throw new Error(`${String(file)} has no semantic "version" (got ${JSON.stringify(version)})`);
  }
  return version;
}

export const APP_VERSION: string = readAppVersion();
