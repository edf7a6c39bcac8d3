/** Fastify's `trustProxy`: false, true, a list of addresses/CIDRs, or a per-hop predicate. */
export type TrustProxy = boolean | string[] | ((address: string, hop: number) => boolean);

/**
 * TRUST_PROXY: unset/`false` trusts no forwarded header (the socket address is the client);
 * `true` trusts every hop (only when the app port is reachable from the proxy alone); a number
 * trusts that many hops; otherwise a comma list of proxy addresses or CIDRs (AS-71).
 */
export function parseTrustProxy(value: string | undefined): TrustProxy {
  const text = value?.trim() ?? '';
  if (text === '' || text === 'false') return false;
  if (text === 'true') return true;
  if (/^\d+$/.test(text)) {
    // Fastify 5 ignores a numeric trustProxy altogether (it fails closed: every request would carry
    // the proxy's address, so per-IP limits would become one global limit). A predicate gives the
    // documented meaning: trust the nearest `hops` addresses, the socket peer first.
    const hops = Number(text);
    return (_address, hop) => hop < hops;
  }
  const list = text.split(',').map((item) => item.trim()).filter(Boolean);
  if (list.some((item) => !/^[0-9a-fA-F:.]+(\/\d{1,3})?$/.test(item))) {
    throw new TypeError('TRUST_PROXY must be true, false, a hop count, or a comma list of addresses/CIDRs');
  }
  return list;
}
