// A real upstream OpenID provider for tests: a separate oidc-provider instance on loopback with its
// own signing key, a static confidential client (ours), an in-test account list and oidc-provider's
// own login and consent pages (devInteractions: any password, the login is the account id). It can
// rewrite the ID token of its next token responses and re-sign it, with its own key or a stranger's,
// so each ID token check (iss, aud, nonce, exp, signature) is met by a real response that differs
// from a good one in that one respect only. Tests only; never imported by product code.
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';

import { decodeJwt, exportJWK, generateKeyPair, SignJWT } from 'jose';
import Provider from 'oidc-provider';

export type UpstreamAccount = { email?: string; email_verified?: boolean; name?: string };
export type IdTokenRewrite = (claims: Record<string, unknown>) => Record<string, unknown>;

export type UpstreamIdp = {
  issuer: string;
  clientId: string;
  clientSecret: string;
  /** Login name (the `sub`) → claims. Mutable: add accounts per test. */
  accounts: Map<string, UpstreamAccount>;
  /** Rewrites the ID token of every following token response until called with undefined. */
  rewriteIdToken(rewrite: IdTokenRewrite | undefined, options?: { foreignKey?: boolean }): void;
  /** While on, requests are accepted and never answered (a hung IdP). */
  hang(on: boolean): void;
  /** How many token requests reached the IdP. */
  readonly tokenRequests: number;
  close(): Promise<void>;
};

const KID = 'upstream-test-key';

export async function startUpstreamIdp(options: {
  redirectUris: string[];
  clientId?: string;
  clientSecret?: string;
  accounts?: Record<string, UpstreamAccount>;
}): Promise<UpstreamIdp> {
  const clientId = options.clientId ?? 'omnichat-test-client';
  const clientSecret = options.clientSecret ?? 'upstream-client-secret-0123456789';
  const accounts = new Map(Object.entries(options.accounts ?? {}));
  const { privateKey } = await generateKeyPair('RS256', { extractable: true });
  const foreign = await generateKeyPair('RS256', { extractable: true });
  const privateJwk = { ...(await exportJWK(privateKey)), kid: KID, alg: 'RS256', use: 'sig' };

  let rewrite: { fn: IdTokenRewrite; foreignKey: boolean } | undefined;
  let hung = false;
  let tokenRequests = 0;
  /** Set once the provider exists (it needs the port the server got). */
  const serve: { handler?: (req: IncomingMessage, res: ServerResponse) => void } = {};

  const server = createServer((req, res) => {
    if (hung || !serve.handler) return;
    if (req.method === 'POST' && req.url?.startsWith('/token')) {
      tokenRequests += 1;
      if (rewrite) interceptIdToken(res, rewrite.fn, rewrite.foreignKey ? foreign.privateKey : privateKey);
    }
    serve.handler(req, res);
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const issuer = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;

  const provider = new Provider(issuer, {
    clients: [{
      client_id: clientId,
      client_secret: clientSecret,
      redirect_uris: options.redirectUris,
      grant_types: ['authorization_code'],
      response_types: ['code'],
      token_endpoint_auth_method: 'client_secret_basic',
    }],
    jwks: { keys: [privateJwk as never] },
    findAccount: async (_ctx, id) => {
      const account = accounts.get(id);
      return account ? { accountId: id, claims: async () => ({ sub: id, ...account }) } : undefined;
    },
    claims: { openid: ['sub'], email: ['email', 'email_verified'], profile: ['name'] },
    // Like Google and most IdPs: the requested claims are in the ID token itself.
    conformIdTokenClaims: false,
    cookies: { keys: ['upstream-idp-test-cookie-key-0123456789'] },
    features: { devInteractions: { enabled: true } },
    pkce: { required: () => true },
    ttl: { AccessToken: 600, AuthorizationCode: 60, Grant: 3600, IdToken: 600, Interaction: 600, Session: 3600 },
  });
  serve.handler = provider.callback() as typeof serve.handler;

  return {
    issuer,
    clientId,
    clientSecret,
    accounts,
    rewriteIdToken(fn, rewriteOptions) {
      rewrite = fn ? { fn, foreignKey: rewriteOptions?.foreignKey ?? false } : undefined;
    },
    hang(on) {
      hung = on;
    },
    get tokenRequests() {
      return tokenRequests;
    },
    async close() {
      server.closeAllConnections();
      await new Promise<void>((resolve) => server.close(() => resolve()));
    },
  };
}

/** Replaces the token response's id_token with the rewritten claims, signed with `key`. */
function interceptIdToken(res: ServerResponse, fn: IdTokenRewrite, key: Parameters<SignJWT['sign']>[0]): void {
  const end = res.end.bind(res) as (chunk?: unknown) => ServerResponse;
  res.end = ((chunk?: unknown) => {
    void (async () => {
      let out = chunk;
      try {
        const body = JSON.parse(Buffer.isBuffer(chunk) ? chunk.toString('utf8') : String(chunk)) as Record<string, unknown>;
        if (typeof body.id_token === 'string') {
          const claims = fn({ ...decodeJwt(body.id_token) });
          body.id_token = await new SignJWT(claims).setProtectedHeader({ alg: 'RS256', kid: KID, typ: 'JWT' }).sign(key);
          out = JSON.stringify(body);
          res.setHeader('content-length', Buffer.byteLength(out as string));
        }
      } catch {
        // Not JSON (an error page): passed on as it was.
      }
      end(out);
    })();
    return res;
  }) as typeof res.end;
}
