/**
 * An approved host's name: what the admin chose and what callers pass as `host`. Lower-case
 * labels only, so the tool can compare bytes: `BUILD-BOX`, `build-box.`, `deploy@build-box`,
 * `build-box:22` or `-oProxyCommand=...` are simply other, unknown names (docs/security.md RS-28).
 */
export const HOST_NAME_PATTERN = /^[a-z0-9](?:[a-z0-9.-]{0,61}[a-z0-9])?$/;

export function isHostName(value: string): boolean {
  return HOST_NAME_PATTERN.test(value) && !value.includes('..');
}
