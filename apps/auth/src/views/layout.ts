import { html, type SafeHtml } from './html.js';

/**
 * No external assets and no inline script: the stylesheet is inline and allowed by hash-free
 * `style-src 'unsafe-inline'` only for style; scripts are off entirely (`script-src 'none'`).
 * `frame-ancestors 'none'` stops clickjacking of the login and consent forms (RFC 9700 §4.16).
 */
export const PAGE_CSP =
  "default-src 'none'; style-src 'unsafe-inline'; img-src 'self' data:; form-action 'self' https: http://localhost:* http://127.0.0.1:*; frame-ancestors 'none'; base-uri 'none'";

export const PAGE_HEADERS: Record<string, string> = {
  'content-type': 'text/html; charset=utf-8',
  'content-security-policy': PAGE_CSP,
  'x-frame-options': 'DENY',
  'referrer-policy': 'no-referrer',
  'x-content-type-options': 'nosniff',
  'cache-control': 'no-store',
};

const STYLE = `
*{box-sizing:border-box}body{margin:0;font:16px/1.5 system-ui,-apple-system,"Segoe UI",Roboto,sans-serif;background:#f4f5f7;color:#1d2330}
main{max-width:420px;margin:8vh auto;padding:32px;background:#fff;border-radius:12px;box-shadow:0 1px 3px rgba(0,0,0,.08),0 8px 24px rgba(0,0,0,.06)}
h1{font-size:1.4rem;margin:0 0 4px}p.sub{margin:0 0 24px;color:#5b6475}
label{display:block;font-weight:600;margin:16px 0 6px}input[type=email],input[type=password]{width:100%;padding:10px 12px;border:1px solid #c7ccd6;border-radius:8px;font:inherit}
input:focus,button:focus{outline:3px solid #8ab4ff;outline-offset:1px}
button{font:inherit;font-weight:600;padding:10px 16px;border-radius:8px;border:1px solid transparent;cursor:pointer}
.primary{background:#2457d6;color:#fff;width:100%;margin-top:24px}.secondary{background:#fff;color:#1d2330;border-color:#c7ccd6}
.row{display:flex;gap:12px;margin-top:24px}.row button{flex:1}
.error{background:#fdecec;color:#8a1c1c;border-radius:8px;padding:10px 12px;margin:0 0 16px}
ul.scopes{padding:0;list-style:none;margin:16px 0}ul.scopes li{padding:10px 12px;border:1px solid #e3e6ec;border-radius:8px;margin-bottom:8px}
ul.scopes code{font-size:.85em;color:#5b6475}.brand{font-weight:700;color:#2457d6;margin-bottom:16px}.note{font-size:.9rem;color:#5b6475}
`;

export function page(input: { title: string; brand: string; body: SafeHtml }): string {
  return html`<!doctype html>
<html lang="en"><head><meta charset="utf-8"><meta name="viewport" content="width=device-width,initial-scale=1">
<meta name="referrer" content="no-referrer"><title>${input.title} · ${input.brand}</title><style>${STYLE}</style></head>
<body><main><div class="brand">${input.brand}</div>${input.body}</main></body></html>`.value;
}
