/**
 * Loopback host names, in URL.hostname form (IPv6 in brackets), in the two senses this project needs.
 */

/** The three spellings RFC 8252 §7.3 and §8.3 give a native app's loopback redirect: exact match only. */
const LOOPBACK_LITERALS = new Set(['localhost', '127.0.0.1', '[::1]']);

export function isLoopbackLiteral(hostname: string): boolean {
  return LOOPBACK_LITERALS.has(hostname);
}

/**
 * Any name that can only reach this machine: localhost and its subdomains (RFC 6761 §6.3),
 * 127.0.0.0/8 and [::1]. For "is plain http to here acceptable" checks, not for redirect matching.
 */
export function isLoopbackName(hostname: string): boolean {
  return hostname === 'localhost' || hostname.endsWith('.localhost') || hostname === '[::1]' || /^127(?:\.\d{1,3}){3}$/.test(hostname);
}
