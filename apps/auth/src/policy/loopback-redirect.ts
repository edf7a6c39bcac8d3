import { isLoopbackLiteral } from '@omnichat/util';

/**
 * Which redirect_uri an authorization request may use, given the client's registered ones. Pure.
 *
 * Exact string match (RFC 9700 §4.1.3), with one exception from RFC 8252 §7.3: a registered
 * plain-http loopback URI (localhost, 127.0.0.1, [::1]) written without a port matches the same URI
 * on any port, because a native app listens on whatever port the OS gives it. That holds for every
 * client whatever its `application_type` (Claude Code's CIMD document names none). Nothing else may
 * vary: scheme, host, path and query stay exact, and a URI registered with a port matches only that
 * port.
 */
export function redirectUriAllowed(registered: readonly string[], candidate: string): boolean {
  if (registered.includes(candidate)) return true;
  const withoutPort = loopbackWithoutPort(candidate);
  return withoutPort !== undefined && registered.includes(withoutPort);
}

/** The candidate with its port removed, when it is a canonical http loopback URI that has one. */
function loopbackWithoutPort(candidate: string): string | undefined {
  const url = URL.parse(candidate);
  if (!url || url.protocol !== 'http:' || !isLoopbackLiteral(url.hostname) || url.port === '') return undefined;
  // Canonical spelling only: what is compared below must be what the client sent, port aside.
  if (url.href !== candidate || url.username !== '' || url.password !== '' || url.hash !== '') return undefined;
  url.port = '';
  return url.href;
}
