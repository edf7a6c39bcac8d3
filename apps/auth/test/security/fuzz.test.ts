/**
 * Fuzzed inputs on the authorization server (docs/security.md, fuzzing): DCR metadata, authorization query
 * strings, token form bodies, introspection and revocation bodies. Whatever arrives, the answer is
 * never a 5xx, never shows a stack trace, a file path or a driver name, and never hangs. Bounded
 * runs against the real app on real Postgres; fast-check prints the seed and the shrunk input of a
 * failure, which then becomes a regression case in `regressions` below.
 */
import * as fc from 'fast-check';
import { describe, expect, it } from 'vitest';

import { RESOURCE_SCOPES } from '@omnichat/scopes';

import { TestBrowser, csrfFrom, formActions, RU, authz, codeFor, pkce, publicClient, token } from '@omnichat/testkit';
import { authSuite } from './helpers/suite.js';

const RESOURCE = 'http://127.0.0.1:3994/mcp';
const USER = { email: 'fuzz@example.com', password: 'a long and unguessable password' };
const suite = authSuite(RESOURCE, USER);

const REQUEST_TIMEOUT_MS = 5_000;
/** Stack frames, source paths and the names of what sits underneath. */
const INTERNALS = /\bat [\w.<>$]+ \(|\bat (?:async )?[\w./-]+:\d+:\d+|\.[cm]?[jt]s:\d+|node_modules|\/work\/|prisma|ECONNREFUSED|TypeError|ReferenceError|SyntaxError: /i;

type Reply = { status: number; text: string };

async function send(path: string, init: { method?: string; headers?: Record<string, string>; body?: string } = {}): Promise<Reply> {
  const response = await fetch(`${suite.base}${path}`, {
    method: init.method ?? (init.body === undefined ? 'GET' : 'POST'),
    headers: init.headers,
    body: init.body,
    redirect: 'manual',
    signal: AbortSignal.timeout(REQUEST_TIMEOUT_MS),
  });
  // A redirect's target is part of the answer too (errors travel in its query).
  return { status: response.status, text: `${response.headers.get('location') ?? ''}\n${await response.text()}` };
}

function expectClean(reply: Reply, input: unknown): void {
  const shown = JSON.stringify(input).slice(0, 600);
  expect(reply.status, shown).toBeLessThan(500);
  expect(reply.status, shown).toBeGreaterThanOrEqual(200);
  expect(reply.text, shown).not.toMatch(INTERNALS);
}

// ---- building blocks --------------------------------------------------------------------------

/** Strings that tend to break parsers: empty, huge, control characters, unicode, JSON-ish, URL-ish. */
const nasty = fc.oneof(
  fc.string({ maxLength: 40 }),
  fc.string({ unit: 'binary', maxLength: 40 }),
  fc.constantFrom('', ' ', '\u0000', '\r\n', '%', '%00', '%ZZ', '%C3%28', '\uD800', '💥', '../..', 'null', 'undefined', '[]', '{}', '__proto__', 'constructor', 'a'.repeat(5_000)),
);
const jsonish = fc.jsonValue({ maxDepth: 3 });

/** Redirect URIs around the allow-list's edges (exact ChatGPT URLs, wildcard paths, loopback ports). */
const redirectUri = fc.oneof(
  fc.constantFrom(
    RU,
    `${RU}/`,
    `${RU}?x=1`,
    `${RU}#f`,
    'https://chatgpt.com/connector/oauth/abc',
    'https://chatgpt.com/connector/oauth/abc/def',
    'https://chatgpt.com/connector/oauth/',
    'https://chatgpt.com.evil.example/connector_platform_oauth_redirect',
    'https://user@chatgpt.com/connector_platform_oauth_redirect',
    'https://CHATGPT.com/connector_platform_oauth_redirect',
    'http://chatgpt.com/connector_platform_oauth_redirect',
    'http://localhost:1/cb',
    'http://localhost:65535/',
    'http://localhost:99999/cb',
    'http://127.0.0.1:0/cb',
    'http://[::1]:8080/cb',
    'http://localhost.evil.example/cb',
    'javascript:alert(1)',
    'data:text/html,hi',
    'urn:ietf:wg:oauth:2.0:oob',
    'com.example.app:/cb',
    '//chatgpt.com/connector_platform_oauth_redirect',
    '',
  ),
  fc.webUrl({ withQueryParameters: true, withFragments: true }),
  nasty,
);

const scopeValue = fc.oneof(
  fc.subarray([...RESOURCE_SCOPES, 'openid', 'email', 'profile', 'offline_access']).map((scopes) => scopes.join(' ')),
  fc.array(fc.oneof(fc.constantFrom(...RESOURCE_SCOPES, 'openid', 'admin', 'files:*'), nasty), { maxLength: 4 }).map((scopes) => scopes.join(' ')),
  nasty,
);

const resourceValue = fc.oneof(fc.constantFrom(RESOURCE, `${RESOURCE}/`, RESOURCE.toUpperCase(), `${RESOURCE}#x`, `${RESOURCE}?a=b`, 'https://evil.example/mcp', 'urn:x', ''), nasty);

/** Percent-encodes the UTF-8 bytes (encodeURIComponent throws on a lone surrogate; a client may not). */
const pct = (value: string) => [...Buffer.from(value, 'utf8')].map((byte) => (/[\w.~-]/.test(String.fromCharCode(byte)) ? String.fromCharCode(byte) : `%${byte.toString(16).padStart(2, '0').toUpperCase()}`)).join('');

/** URL-encodes a value, or leaves it half-raw with broken escapes, as sloppy or hostile clients do. */
const encoded = (value: string) =>
  fc.constantFrom<'clean' | 'raw' | 'broken'>('clean', 'raw', 'broken').map((how) => {
    if (how === 'clean') return pct(value);
    if (how === 'raw') return value.replace(/[&#=\s]/g, (c) => pct(c));
    return `${pct(value)}%${value.length % 2 ? 'G' : ''}`;
  });

/** What fetch can put in a header at all (HTTP field values are latin-1 without controls). */
const headerSafe = (value: string) => value.replace(/[^\x20-\x7e\x80-\xff]/g, '');

/** key=value pairs (keys from `known`, sometimes random), duplicates allowed, joined with `&`. */
function formish(known: Record<string, fc.Arbitrary<string>>): fc.Arbitrary<{ pairs: [string, string][]; raw: string }> {
  const pair = fc.oneof(
    ...Object.entries(known).map(([key, value]) => value.map((v): [string, string] => [key, v])),
    fc.tuple(nasty, nasty),
  );
  return fc
    .array(pair, { maxLength: 12 })
    .chain((pairs) =>
      fc.tuple(...pairs.map(([key, value]) => fc.tuple(encoded(key), encoded(value)))).map((parts) => ({
        pairs,
        raw: parts.map(([key, value]) => `${key}=${value}`).join('&'),
      })),
    );
}

const contentType = fc.constantFrom('application/x-www-form-urlencoded', 'application/x-www-form-urlencoded; charset=utf-8', 'application/json', 'text/plain', 'multipart/form-data; boundary=x', '', 'application/x-www-form-urlencoded; charset=latin1');
const basicAuth = fc.option(
  fc.oneof(
    fc.tuple(nasty, nasty).map(([id, secret]) => `Basic ${Buffer.from(`${id}:${secret}`).toString('base64')}`),
    nasty.map((value) => `Basic ${headerSafe(value)}`),
    nasty.map((value) => `Bearer ${headerSafe(value)}`),
    nasty.map(headerSafe),
  ),
  { nil: undefined },
);

// ---- fixtures shared by the properties --------------------------------------------------------

let clientId = '';
let refreshToken = '';
let usedCode = '';
let confidential: { id: string; secret: string } = { id: '', secret: '' };

async function fixtures(): Promise<void> {
  if (clientId) return;
  clientId = await publicClient(suite.base);
  const p = await pkce();
  usedCode = await codeFor(suite.base, clientId, p, RESOURCE, USER);
  const redeemed = await token(suite.base, { grant_type: 'authorization_code', code: usedCode, redirect_uri: RU, code_verifier: p.verifier, client_id: clientId });
  refreshToken = redeemed.body.refresh_token as string;
  const registered = await fetch(`${suite.base}/register`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({ redirect_uris: [RU], token_endpoint_auth_method: 'client_secret_post', grant_types: ['authorization_code', 'refresh_token'] }),
  });
  const body = (await registered.json()) as { client_id: string; client_secret: string };
  confidential = { id: body.client_id, secret: body.client_secret };
}

const realOr = (real: () => string) => fc.oneof(fc.constant(null).map(() => real()), nasty);

// ---- properties -------------------------------------------------------------------------------

describe('fuzzed inputs never cause a 5xx, a stack trace or a hang', () => {
  it('fuzz: DCR metadata (random JSON shapes, allow-list edges, non-JSON bodies) at /register', async () => {
    const metadata = fc.record(
      {
        redirect_uris: fc.oneof(fc.array(redirectUri, { maxLength: 4 }), jsonish),
        grant_types: fc.oneof(fc.subarray(['authorization_code', 'refresh_token', 'client_credentials', 'implicit', 'password', 'urn:ietf:params:oauth:grant-type:device_code']), jsonish),
        response_types: fc.oneof(fc.subarray(['code', 'token', 'id_token', 'code id_token', 'none']), jsonish),
        token_endpoint_auth_method: fc.oneof(fc.constantFrom('none', 'client_secret_post', 'client_secret_basic', 'private_key_jwt', 'client_secret_jwt', 'tls_client_auth'), jsonish),
        client_name: fc.oneof(nasty, jsonish),
        scope: fc.oneof(scopeValue, jsonish),
        client_uri: fc.oneof(redirectUri, jsonish),
        logo_uri: fc.oneof(redirectUri, jsonish),
        jwks_uri: fc.oneof(redirectUri, jsonish),
        jwks: fc.oneof(fc.record({ keys: fc.array(fc.dictionary(fc.string({ maxLength: 5 }), jsonish, { maxKeys: 4 }), { maxLength: 2 }) }), jsonish),
        software_statement: fc.oneof(nasty, jsonish),
        post_logout_redirect_uris: fc.oneof(fc.array(redirectUri, { maxLength: 2 }), jsonish),
        contacts: fc.oneof(fc.array(nasty, { maxLength: 3 }), jsonish),
        client_id: fc.oneof(nasty, jsonish),
        client_secret: fc.oneof(nasty, jsonish),
        __proto__: jsonish,
      },
      { requiredKeys: [] },
    );
    const body = fc.oneof(
      { weight: 4, arbitrary: fc.tuple(metadata, fc.dictionary(nasty, jsonish, { maxKeys: 3 })).map(([known, extra]) => JSON.stringify({ ...extra, ...known })) },
      { weight: 1, arbitrary: jsonish.map((value) => JSON.stringify(value)) },
      { weight: 1, arbitrary: nasty },
    );
    await fc.assert(
      fc.asyncProperty(body, contentType, async (payload, type) => {
        expectClean(await send('/register', { headers: type ? { 'content-type': type } : {}, body: payload }), { payload, type });
      }),
      { numRuns: 90 },
    );
  });

  it('fuzz: authorization query strings (known and random parameters, duplicates, broken escapes) at /auth', async () => {
    await fixtures();
    const p = await pkce();
    const query = formish({
      response_type: fc.oneof(fc.constantFrom('code', 'token', 'id_token', 'code id_token', 'none', ''), nasty),
      client_id: realOr(() => clientId),
      redirect_uri: redirectUri,
      scope: scopeValue,
      resource: resourceValue,
      state: nasty,
      nonce: nasty,
      code_challenge: fc.oneof(fc.constant(p.challenge), nasty),
      code_challenge_method: fc.oneof(fc.constantFrom('S256', 'plain', 's256', ''), nasty),
      prompt: fc.oneof(fc.constantFrom('none', 'login', 'consent', 'select_account', 'none login', ''), nasty),
      id_token_hint: nasty,
      login_hint: nasty,
      max_age: fc.oneof(fc.integer().map(String), nasty),
      response_mode: fc.oneof(fc.constantFrom('query', 'fragment', 'form_post', 'jwt', 'query.jwt'), nasty),
      request: nasty,
      request_uri: fc.oneof(redirectUri, nasty),
      claims: fc.oneof(jsonish.map((value) => JSON.stringify(value)), nasty),
      ui_locales: nasty,
      acr_values: nasty,
    });
    await fc.assert(
      fc.asyncProperty(query, async ({ raw, pairs }) => {
        expectClean(await send(`/auth?${raw}`), pairs);
      }),
      { numRuns: 90 },
    );
    // And a well-formed request with one parameter fuzzed at a time, so deeper steps run.
    const keys = ['scope', 'resource', 'redirect_uri', 'prompt', 'id_token_hint', 'code_challenge', 'state', 'max_age', 'claims'] as const;
    await fc.assert(
      fc.asyncProperty(fc.constantFrom(...keys), fc.oneof(nasty, scopeValue, resourceValue, redirectUri), async (key, value) => {
        const url = new URL(authz(suite.base, clientId, p, RESOURCE, { [key]: value }));
        expectClean(await send(`${url.pathname}${url.search}`), { key, value });
      }),
      { numRuns: 40 },
    );
  });

  it('fuzz: token form bodies (grant types, codes, verifiers, refresh tokens, resources, duplicates, encodings) at /token', async () => {
    await fixtures();
    const body = formish({
      grant_type: fc.oneof(fc.constantFrom('authorization_code', 'refresh_token', 'client_credentials', 'password', 'implicit', 'urn:ietf:params:oauth:grant-type:device_code', 'urn:ietf:params:oauth:grant-type:token-exchange', ''), nasty),
      code: realOr(() => usedCode),
      code_verifier: fc.oneof(fc.string({ minLength: 43, maxLength: 128 }), nasty),
      redirect_uri: redirectUri,
      refresh_token: realOr(() => refreshToken),
      resource: resourceValue,
      scope: scopeValue,
      client_id: realOr(() => clientId),
      client_secret: nasty,
      client_assertion_type: fc.oneof(fc.constant('urn:ietf:params:oauth:client-assertion-type:jwt-bearer'), nasty),
      client_assertion: nasty,
      audience: nasty,
    });
    await fc.assert(
      fc.asyncProperty(body, contentType, basicAuth, async ({ raw, pairs }, type, authorization) => {
        const headers: Record<string, string> = { ...(type ? { 'content-type': type } : {}), ...(authorization !== undefined ? { authorization } : {}) };
        expectClean(await send('/token', { headers, body: raw }), { pairs, type, authorization });
      }),
      { numRuns: 100 },
    );
  });

  it.each([['/token/revocation'], ['/token/introspection']])('fuzz: %s bodies (tokens, hints, client credentials, encodings)', async (path) => {
    await fixtures();
    const body = formish({
      token: fc.oneof(realOr(() => refreshToken), nasty),
      token_type_hint: fc.oneof(fc.constantFrom('access_token', 'refresh_token', 'authorization_code', 'id_token', ''), nasty),
      client_id: fc.oneof(realOr(() => clientId), realOr(() => confidential.id)),
      client_secret: realOr(() => confidential.secret),
      client_assertion: nasty,
      client_assertion_type: nasty,
    });
    await fc.assert(
      fc.asyncProperty(body, contentType, basicAuth, async ({ raw, pairs }, type, authorization) => {
        const headers: Record<string, string> = { ...(type ? { 'content-type': type } : {}), ...(authorization !== undefined ? { authorization } : {}) };
        expectClean(await send(path, { headers, body: raw }), { pairs, type, authorization });
      }),
      { numRuns: 50 },
    );
  });
});

/** Counterexamples the properties found, kept as fixed cases (each was a 500 before its fix). */
describe('fuzz regressions', () => {
  const form = (fields: Record<string, string>) => ({ headers: { 'content-type': 'application/x-www-form-urlencoded' }, body: new URLSearchParams(fields).toString() });

  it('fuzz: NUL in an authorization parameter that reaches Postgres (client_id, state, nonce, login_hint): a 400 or invalid_request, not a 500', async () => {
    await fixtures();
    const p = await pkce();
    const unknownClient = await send('/auth?client_id=%00&code_challenge_method=S256');
    expect(unknownClient.status).toBe(400);
    expect(unknownClient.text).toContain('invalid_client');
    for (const key of ['state', 'nonce', 'login_hint']) {
      const url = new URL(authz(suite.base, clientId, p, RESOURCE, { scope: 'openid files:read', [key]: 'a\u0000b' }));
      const reply = await send(`${url.pathname}${url.search}`);
      expect(reply.status, key).toBe(303);
      const location = new URL(reply.text.split('\n')[0] ?? '');
      expect(location.searchParams.get('error'), key).toBe('invalid_request');
    }
  });

  it('fuzz: NUL in a token, code or client_id at /token, /token/introspection and /token/revocation: the usual refusals', async () => {
    await fixtures();
    const cases: [string, Record<string, string>, number, string][] = [
      ['/token', { grant_type: 'authorization_code', code: 'x', client_id: '\u0000' }, 401, 'invalid_client'],
      ['/token', { grant_type: 'authorization_code', code: 'a\u0000b', client_id: clientId, code_verifier: 'v'.repeat(43), redirect_uri: RU }, 400, 'invalid_grant'],
      ['/token', { grant_type: 'refresh_token', refresh_token: 'a\u0000b', client_id: clientId }, 400, 'invalid_grant'],
      ['/token/introspection', { token: 'x', client_id: '\u0000' }, 401, 'invalid_client'],
      ['/token/introspection', { token: 'a\u0000b', client_id: confidential.id, client_secret: confidential.secret }, 200, '"active":false'],
      ['/token/revocation', { token: 'a\u0000b', client_id: clientId }, 200, ''],
    ];
    for (const [path, fields, status, marker] of cases) {
      const reply = await send(path, form(fields));
      expect(reply.status, `${path} ${JSON.stringify(fields)}`).toBe(status);
      expect(reply.text).toContain(marker);
    }
  });

  it('fuzz: NUL in DCR metadata that would be stored (client_name): invalid_request, not a 500', async () => {
    const reply = await send('/register', { headers: { 'content-type': 'application/json' }, body: JSON.stringify({ redirect_uris: [RU], token_endpoint_auth_method: 'none', client_name: 'a\u0000b' }) });
    expect(reply.status).toBe(400);
    expect(JSON.parse(reply.text.split('\n').slice(1).join('\n'))).toEqual({ error: 'invalid_request', error_description: 'request parameters must not contain NUL characters' });
  });

  it('fuzz: NUL in the sign-in form (email, password): the sign-in page again, not a 500', async () => {
    await fixtures();
    const browser = new TestBrowser(suite.base);
    const page = await browser.follow(authz(suite.base, clientId, await pkce(), RESOURCE));
    const action = formActions(page.body).find((candidate) => candidate.endsWith('/login'));
    for (const [email, password] of [['a\u0000@example.com', 'x'], [USER.email, 'a\u0000b'], ['\u0000', '\u0000']]) {
      const reply = await browser.request(action!, { form: { csrf: csrfFrom(page.body), email: email!, password: password! }, headers: { origin: suite.base } });
      expect(reply.status, JSON.stringify({ email, password })).toBeLessThan(500);
      expect(reply.body).not.toMatch(INTERNALS);
    }
  });
});
