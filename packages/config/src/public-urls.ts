import { productionUrlProblem } from '@omnichat/lifecycle';
import type { z } from 'zod';

import { httpUrl } from './parse-env.js';

/** Zod runs refinements on a value the url check already refused: that one is reported there. */
const notUrlOr = (test: (url: URL, value: string) => boolean) => (value: string) => {
  const url = URL.parse(value);
  return !url || test(url, value);
};

/**
 * The auth app's issuer, byte-identical in its metadata, in every `iss` and in the MCP app's
 * protected resource metadata: clients compare it byte for byte (RFC 8414 §3.3, RFC 9207 §2.4),
 * so exactly one form, and an issuer has no query or fragment (RFC 8414 §2).
 */
export const ISSUER = httpUrl
  .default('http://localhost:4000')
  .refine((value) => !value.endsWith('/'), 'ISSUER must not end with "/" (clients compare it byte for byte)')
  .refine(notUrlOr((url) => url.search === '' && url.hash === ''), 'ISSUER must not carry a query or fragment (RFC 8414 §2)');

/** The MCP endpoint's canonical URI: every access token's `aud` (RFC 8707 §2), so one spelling only. */
export const RESOURCE_URL = httpUrl
  .default('http://localhost:3000/mcp')
  .refine(
    notUrlOr((url, value) => url.search === '' && url.hash === '' && url.href === value && !value.endsWith('/')),
    'RESOURCE_URL must be canonical: no query, fragment or trailing slash (RFC 8707 §2)',
  );

/** Under NODE_ENV=production an http public URL off loopback is refused (tokens would cross it in clear). */
export function checkProductionUrls(env: { NODE_ENV: string; ISSUER?: string; RESOURCE_URL?: string }, ctx: z.RefinementCtx): void {
  if (env.NODE_ENV !== 'production') return;
  for (const name of ['ISSUER', 'RESOURCE_URL'] as const) {
    const value = env[name];
    const problem = value === undefined ? undefined : productionUrlProblem(value);
    if (problem) ctx.addIssue({ code: 'custom', path: [name], message: problem });
  }
}
