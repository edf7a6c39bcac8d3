import { isLoopbackLiteral } from '@omnichat/util';

/**
 * The redirect-URI allow-list (ALLOWED_REDIRECT_URIS). Pure: parsed once at boot, applied to every
 * DCR request and every CIMD document.
 *
 * Pattern syntax: `scheme://host[:port|:*][/path]`. `*` stands for exactly one path segment or for
 * any port; a pattern with no path accepts any path on that origin (loopback CLIs pick their own).
 * Candidates are matched exactly otherwise: BCP (RFC 9700) §4.1.3 forbids pattern matching that a
 * client controls, so wildcards only ever come from our configuration, never from a client.
 */
export type RedirectPattern = {
  source: string;
  scheme: 'http' | 'https';
  host: string;
  /** undefined: the scheme's default port only; '*': any port. */
  port: string | undefined;
  /** undefined: any path; otherwise segments, '*' matching one non-empty segment. */
  segments: string[] | undefined;
};

const PATTERN = /^(https?):\/\/([a-z0-9.-]+|\[[0-9a-f:.]+\])(?::(\d{1,5}|\*))?(\/[^?#]*)?$/;

export function parseRedirectPatterns(sources: readonly string[]): RedirectPattern[] {
  return sources.map((source) => {
    const match = PATTERN.exec(source);
    if (!match) throw new Error(`"${source}" is not a redirect URI pattern (scheme://host[:port|:*][/path])`);
    const [, scheme, host, port, path] = match as unknown as [string, 'http' | 'https', string, string?, string?];
    if (scheme === 'http' && !isLoopbackLiteral(host)) {
      // RFC 9700 §2.6: plain http only for loopback redirects of native apps.
      throw new Error(`"${source}": http redirect URIs are only allowed for loopback hosts`);
    }
    return {
      source,
      scheme,
      host,
      port,
      segments: path === undefined ? undefined : path.split('/').slice(1),
    };
  });
}

export type RedirectVerdict = { ok: true } | { ok: false; reason: string };

/** Checks one client-supplied redirect URI against the allow-list. */
export function checkRedirectUri(candidate: string, patterns: readonly RedirectPattern[]): RedirectVerdict {
  if (candidate.length > 2000) return { ok: false, reason: 'redirect_uri is too long' };
  if (candidate.includes('#')) return { ok: false, reason: 'redirect_uri must not contain a fragment' };
  if (candidate.includes('*')) return { ok: false, reason: 'redirect_uri must not contain wildcards' };
  const url = URL.parse(candidate);
  if (!url) return { ok: false, reason: 'redirect_uri must be an absolute URL' };
  if (url.protocol !== 'https:' && url.protocol !== 'http:') {
    return { ok: false, reason: 'redirect_uri must use https (or http on loopback)' };
  }
  // Exact spelling only: `HTTPS://HOST`, default ports written out, dot segments and the like are
  // refused rather than normalised, because the authorization request must then repeat it verbatim.
  if (url.href !== candidate || url.username !== '' || url.password !== '') {
    return { ok: false, reason: 'redirect_uri must be in canonical form' };
  }
  const matched = patterns.some((pattern) => matches(url, pattern));
  return matched ? { ok: true } : { ok: false, reason: 'redirect_uri is not on this server\'s allow-list' };
}

function matches(url: URL, pattern: RedirectPattern): boolean {
  if (url.protocol !== `${pattern.scheme}:` || url.hostname !== pattern.host) return false;
  if (pattern.port === undefined ? url.port !== '' : pattern.port !== '*' && url.port !== pattern.port) return false;
  if (pattern.segments === undefined) return true;
  if (url.search !== '') return false;
  const segments = url.pathname.split('/').slice(1);
  if (segments.length !== pattern.segments.length) return false;
  return pattern.segments.every((expected, index) => {
    const actual = segments[index] as string;
    return expected === '*' ? /^[A-Za-z0-9._~-]+$/.test(actual) : actual === expected;
  });
}
