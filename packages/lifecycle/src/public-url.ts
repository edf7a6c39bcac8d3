import { isLoopbackName } from '@omnichat/util';

// The production rule for the URLs clients are told (ISSUER, RESOURCE_URL): tokens, codes and
// passwords cross them, so under NODE_ENV=production plain http is refused unless the host is this
// machine (a loopback-only deployment, or a TLS proxy on the same host that is not in the URL).

/** The problem with `value` as a public URL under production (one line), or undefined when fine. */
export function productionUrlProblem(value: string): string | undefined {
  const url = URL.parse(value);
  if (!url || url.protocol !== 'http:' || isLoopbackName(url.hostname)) return undefined;
  return `must be https when NODE_ENV=production: ${url.host} is not loopback, and http would carry tokens in clear`;
}
