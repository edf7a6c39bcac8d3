/**
 * A minimal browser for driving the interaction pages without a real one: a cookie jar honouring
 * cookie paths, manual redirects, and form posts with the page's CSRF token. Real-browser steps are
 * in `@omnichat/testkit/chromium`; this keeps the protocol tests fast.
 */
type Cookie = { name: string; value: string; path: string };

export type PageResult = { status: number; url: string; location: string | undefined; body: string; headers: Headers };

export class TestBrowser {
  private cookies: Cookie[] = [];

  constructor(private readonly origin: string) {}

  cookieNames(): string[] {
    return this.cookies.map((cookie) => cookie.name);
  }

  async request(url: string, init: { method?: string; form?: Record<string, string>; headers?: Record<string, string> } = {}): Promise<PageResult> {
    const target = new URL(url, this.origin);
    const headers: Record<string, string> = { ...init.headers };
    const cookieHeader = this.cookiesFor(target);
    if (cookieHeader && target.origin === this.origin) headers.cookie = cookieHeader;
    let body: string | undefined;
    if (init.form) {
      headers['content-type'] = 'application/x-www-form-urlencoded';
      body = new URLSearchParams(init.form).toString();
    }
    const response = await fetch(target, { method: init.method ?? (body ? 'POST' : 'GET'), headers, body, redirect: 'manual' });
    if (target.origin === this.origin) this.store(response.headers.getSetCookie());
    const location = response.headers.get('location') ?? undefined;
    return {
      status: response.status,
      url: target.href,
      location: location === undefined ? undefined : new URL(location, target).href,
      body: await response.text(),
      headers: response.headers,
    };
  }

  /**
   * Follows redirects within our origin, and submits oidc-provider's self-submitting forms posting
   * to it (as a browser running their script does); stops at a page or at a redirect leaving it.
   */
  async follow(url: string, init: Parameters<TestBrowser['request']>[1] = {}): Promise<PageResult> {
    let result = await this.request(url, init);
    for (let hops = 0; ; hops += 1) {
      if (hops > 10) throw new Error('redirect loop');
      const autoSubmit = result.status === 200 ? selfSubmittingForm(result.body) : undefined;
      if (autoSubmit && new URL(autoSubmit.action, result.url).origin === this.origin) {
        result = await this.request(autoSubmit.action, { form: autoSubmit.fields });
      } else if (result.location && result.status >= 300 && result.status < 400 && new URL(result.location).origin === this.origin) {
        result = await this.request(result.location);
      } else {
        return result;
      }
    }
  }

  private cookiesFor(url: URL): string {
    return this.cookies
      .filter((cookie) => url.pathname === cookie.path || url.pathname.startsWith(cookie.path.endsWith('/') ? cookie.path : `${cookie.path}/`))
      .map((cookie) => `${cookie.name}=${cookie.value}`)
      .join('; ');
  }

  private store(setCookies: string[]): void {
    for (const line of setCookies) {
      const [pair, ...attributes] = line.split(';').map((part) => part.trim());
      const eq = (pair ?? '').indexOf('=');
      const name = (pair ?? '').slice(0, eq);
      const value = (pair ?? '').slice(eq + 1);
      const attr = (key: string) => attributes.find((a) => a.toLowerCase().startsWith(`${key}=`))?.split('=')[1];
      const path = attr('path') ?? '/';
      const expires = attr('expires');
      const expired = attr('max-age') === '0' || (expires !== undefined && Date.parse(expires) < Date.now());
      this.cookies = this.cookies.filter((cookie) => !(cookie.name === name && cookie.path === path));
      if (!expired) this.cookies.push({ name, value, path });
    }
  }
}

export function csrfFrom(html: string): string {
  const match = /name="csrf" value="([^"]+)"/.exec(html);
  if (!match?.[1]) throw new Error('no CSRF token on the page');
  return match[1];
}

export function formActions(html: string): string[] {
  return [...html.matchAll(/<form method="post" action="([^"]+)"/g)].map((m) => m[1] as string);
}

/** oidc-provider's htmlSafe escapes, undone. */
const decodeEntities = (text: string) =>
  text.replace(/&(amp|quot|lt|gt|#39);/g, (_match, name: string) => ({ amp: '&', quot: '"', lt: '<', gt: '>', '#39': "'" })[name] ?? '');

/**
 * oidc-provider's form_post page (response_modes/form_post.js): one form of hidden fields that its
 * script submits on load. Used for its logout step when another account signs in, and for
 * response_mode=form_post (whose action is the client's, so `follow` stops there).
 */
export function selfSubmittingForm(html: string): { action: string; fields: Record<string, string> } | undefined {
  if (!html.includes('document.forms[0].submit()')) return undefined;
  const action = /<form method="post" action="([^"]+)"/.exec(html)?.[1];
  if (!action) return undefined;
  const fields = Object.fromEntries([...html.matchAll(/<input type="hidden" name="([^"]+)" value="([^"]*)"\/>/g)].map((m) => [decodeEntities(m[1]!), decodeEntities(m[2]!)]));
  return { action: decodeEntities(action), fields };
}
