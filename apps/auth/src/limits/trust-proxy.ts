/** Fastify's `trustProxy`: false, true, a hop count, or a list of addresses/CIDRs. */
export type TrustProxy = boolean | number | string[];

/**
 * TRUST_PROXY: unset/`false` trusts no forwarded header (the socket address is the client);
 * `true` trusts every hop (only when the app port is reachable from the proxy alone); a number
 * trusts that many hops; otherwise a comma list of proxy addresses or CIDRs (AS-71).
 */
export function parseTrustProxy(value: string | undefined): TrustProxy {
  const text = value?.trim() ?? '';
  if (text === '' || text === 'false') return false;
  if (text === 'true') return true;
  if (/^\d+$/.test(text)) return Number(text);
  const list = text.split(',').map((item) => item.trim()).filter(Boolean);
  if (list.some((item) => !/^[0-9a-fA-F:.]+(\/\d{1,3})?$/.test(item))) {
    throw new TypeError('TRUST_PROXY must be true, false, a hop count, or a comma list of addresses/CIDRs');
  }
  return list;
}
