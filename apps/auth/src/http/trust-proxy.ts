import { isIP } from 'node:net';

/** Fastify's `trustProxy`: off, or the proxies to believe (addresses, CIDRs, proxy-addr names). */
export type TrustProxy = false | string[];

/** proxy-addr's named ranges (127.0.0.0/8 and ::1; fe80::/10 and 169.254/16; 10/8, 172.16/12, 192.168/16, fc00::/7). */
const PROXY_ADDR_NAMES = new Set(['loopback', 'linklocal', 'uniquelocal']);

/**
 * TRUST_PROXY: unset/`false` trusts no forwarded header (the socket address is the client);
 * otherwise a comma list of the proxies' addresses, CIDRs or proxy-addr names (AS-71).
 * `true` and a hop count are refused: both believe a hop by its position, not by who sent it, so a
 * client that reaches the app port (or sends its own X-Forwarded-For through the proxy) picks the
 * address every per-IP limit counts. Fastify 5.12.1 dropped the numeric form for that reason.
 */
export function parseTrustProxy(value: string | undefined): TrustProxy {
  const text = value?.trim() ?? '';
  if (text === '' || text === 'false') return false;
  if (text === 'true' || /^\d+$/.test(text)) {
    throw new TypeError(
      `"${text}" is refused: trusting every hop or a hop count lets a client forge X-Forwarded-For and choose the IP the rate limits count; list the proxy's addresses, CIDRs or loopback/uniquelocal/linklocal instead`,
    );
  }
  const list = text.split(',').map((item) => item.trim()).filter(Boolean);
  const bad = list.filter((item) => !isProxyEntry(item));
  if (bad.length > 0) {
    throw new TypeError(`"${bad.join(', ')}" is not an address, a CIDR, or one of loopback, uniquelocal, linklocal`);
  }
  return list;
}

function isProxyEntry(item: string): boolean {
  if (PROXY_ADDR_NAMES.has(item)) return true;
  const [address = '', prefix, ...rest] = item.split('/');
  const family = isIP(address);
  if (family === 0 || rest.length > 0) return false;
  if (prefix === undefined) return true;
  return /^\d{1,3}$/.test(prefix) && Number(prefix) <= (family === 4 ? 32 : 128);
}
