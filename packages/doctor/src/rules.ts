import type { ConnectionFacts } from './connection-event.js';

/**
 * Every reason the doctor can name: what broke (with the facts of the step), the fix, the rule
 * it comes from, and the same in plain words for the person on the account page.
 */
export type Rule = {
  /** The standard or policy, e.g. "RFC 8252 §7.3". */
  ref: string;
  explain(facts: ConnectionFacts): string;
  fix(facts: ConnectionFacts): string;
  /** For the user: no jargon, no URLs they cannot act on. */
  plain: string;
};

const list = (items: readonly string[] | undefined) => (items && items.length > 0 ? items.join(', ') : 'none');
const isLoopback = (uri: string | undefined) => {
  const host = uri ? URL.parse(uri)?.hostname : undefined;
  return host === '127.0.0.1' || host === '[::1]' || host === 'localhost';
};
const said = (facts: ConnectionFacts) => (facts.reason ? ` (${facts.reason})` : '');

export const RULES: Readonly<Record<string, Rule>> = {
  'redirect_uri.unregistered': {
    ref: 'RFC 8252 §7.3, RFC 9700 §4.1.3',
    explain: (f) => `redirect_uri ${f.redirectUri ?? '(none)'} is not registered for this client (registered: ${list(f.redirectUris)})`,
    fix: (f) => isLoopback(f.redirectUri)
      ? 'loopback URIs match any port only when registered without one: register the URI without its port, or send the exact registered one'
      : 'redirect URIs are compared exactly (scheme, host, port, path): send one of the registered URIs or register this one',
    plain: 'The app asked to send you back to an address it had not registered with us, so we stopped. The app needs to reconnect with its correct address.',
  },
  'redirect_uri.not_allowed': {
    ref: 'ALLOWED_REDIRECT_URIS (docs/operations.md)',
    explain: (f) => `registration refused: redirect_uris ${list(f.redirectUris)} are not allowed by this server's ALLOWED_REDIRECT_URIS${said(f)}`,
    fix: () => 'add the client\'s redirect URI (or its host) to ALLOWED_REDIRECT_URIS, or have the client use an allowed one',
    plain: 'This server does not accept apps that send you back to that address. Your administrator can allow it.',
  },
  'registration.invalid_metadata': {
    ref: 'RFC 7591 §3.2.2',
    explain: (f) => `registration refused: ${f.error ?? 'invalid_client_metadata'}${said(f)}`,
    fix: () => 'correct the registration body (redirect_uris, grant_types, token_endpoint_auth_method) and register again',
    plain: 'The app described itself in a way this server does not accept.',
  },
  'cimd.fetch_failed': {
    ref: 'OAuth Client ID Metadata Document (draft-ietf-oauth-client-id-metadata-document) §4',
    explain: (f) => `the client metadata document at ${f.path ?? 'the client_id URL'} could not be used${said(f)}`,
    fix: () => 'serve the document at the client_id URL over https with client_id equal to that URL, and redirect_uris listing the one used',
    plain: 'We could not read the app\'s description from its website.',
  },
  'client.unknown': {
    ref: 'RFC 6749 §4.1.2.1',
    explain: () => 'the client_id is not registered here (deleted, or never used and pruned after UNUSED_CLIENT_TTL_HOURS)',
    fix: () => 'the client must register again (ChatGPT: delete and recreate the connector; Claude: remove and re-add the server)',
    plain: 'This server no longer knows the app. Remove it in the app and connect again.',
  },
  'client.auth_failed': {
    ref: 'RFC 6749 §5.2 invalid_client',
    explain: (f) => `client authentication failed at the token endpoint${said(f)}`,
    fix: () => 'use the token_endpoint_auth_method the client registered with (public clients: none, and send client_id)',
    plain: 'The app could not prove who it is to this server.',
  },
  'resource.invalid_target': {
    ref: 'RFC 8707 §2',
    explain: (f) => `resource ${f.resource ?? '(none)'} is not this server's resource${said(f)}`,
    fix: (f) => `request resource=${f.expectedAudience ?? 'the RESOURCE_URL'} exactly (no trailing slash, same scheme and port)`,
    plain: 'The app asked for access to a service this server does not protect.',
  },
  'scope.invalid': {
    ref: 'RFC 6749 §3.3',
    explain: (f) => `scope "${f.scope ?? ''}" was refused${said(f)}`,
    fix: () => 'ask only for scopes listed in scopes_supported of the authorization server metadata',
    plain: 'The app asked for a permission this server does not have.',
  },
  'pkce.missing': {
    ref: 'OAuth 2.1 §4.1.1, RFC 7636 §4.3',
    explain: (f) => `the authorization request carried no usable PKCE challenge (code_challenge_method ${f.pkceMethod ?? 'absent'})${said(f)}`,
    fix: () => 'send code_challenge with code_challenge_method=S256 (plain is not accepted)',
    plain: 'The app did not use the required protection for signing in.',
  },
  'pkce.mismatch': {
    ref: 'RFC 7636 §4.6',
    explain: (f) => `code_verifier does not match the code_challenge sent to /authorize${said(f)}`,
    fix: () => 'send the code_verifier generated for this very authorization request (a client that restarts the flow must not reuse an old verifier)',
    plain: 'The app finished signing in with the wrong one-time key. Connecting again usually fixes it.',
  },
  'code.invalid': {
    ref: 'RFC 6749 §5.2 invalid_grant',
    explain: (f) => `the authorization code was refused${said(f)}`,
    fix: () => 'redeem each code once, within 60 s, with the same redirect_uri and client that asked for it',
    plain: 'The app took too long or tried to finish signing in twice. Connecting again fixes it.',
  },
  'refresh.reuse': {
    ref: 'RFC 9700 §4.14.2 (refresh token rotation)',
    explain: (f) => `a refresh token that was already rotated came back${f.graceSeconds !== undefined ? ` after the ${f.graceSeconds} s grace` : ''}; the whole grant was revoked`,
    fix: () => 'the client must store the new refresh token returned by every refresh; the user has to connect again',
    plain: 'The app used an old sign-in key, so we ended that connection to protect you. Connect the app again.',
  },
  'refresh.invalid': {
    ref: 'RFC 6749 §6',
    explain: (f) => `the refresh token was refused${said(f)}`,
    fix: () => 'the grant ended (expired, revoked, or the user disconnected the app): connect again',
    plain: 'The app\'s access ended. Connect it again.',
  },
  'sign-in.failed': {
    ref: 'sign-in',
    explain: (f) => `the user's sign-in failed${said(f)}`,
    fix: () => 'check the email and password (`pnpm admin user:list`, `user:reset-link`) or wait out the throttle',
    plain: 'Signing in did not work (wrong email or password, or too many tries).',
  },
  'consent.denied': {
    ref: 'RFC 6749 §4.1.2.1 access_denied',
    explain: () => 'the user chose Deny on the consent page',
    fix: () => 'nothing is broken: the user has to connect again and choose Allow',
    plain: 'You chose not to allow the app.',
  },
  'token.expired': {
    ref: 'RFC 9068 §4, RFC 6750 §3.1',
    explain: (f) => `the access token expired${f.expiredAt ? ` at ${f.expiredAt}` : ''}`,
    fix: () => 'the client must refresh (refresh_token grant) when a call gets 401 invalid_token, or connect again',
    plain: 'The app\'s access had expired and it did not renew it.',
  },
  'token.aud_mismatch': {
    ref: 'RFC 8707 §2, RFC 9068 §4',
    explain: (f) => `token \`aud\` is ${list(f.tokenAudience)} but this server is ${f.expectedAudience ?? 'RESOURCE_URL'}`,
    fix: (f) => `request the token with resource=${f.expectedAudience ?? 'RESOURCE_URL'} exactly (audiences are compared byte for byte: a trailing slash, another host or port differs), or correct RESOURCE_URL`,
    plain: 'The app used a key made for a different service.',
  },
  'token.iss_mismatch': {
    ref: 'RFC 9068 §4',
    explain: (f) => `token \`iss\` is ${f.tokenIssuer ?? '(none)'} but this server trusts ${f.expectedIssuer ?? 'ISSUER'}`,
    fix: () => 'ISSUER of the MCP app must equal the authorization server\'s issuer byte for byte',
    plain: 'The app used a key from another sign-in server.',
  },
  'token.unknown_key': {
    ref: 'RFC 7517, RFC 9068 §4',
    explain: (f) => `the token is signed with key ${f.kid ?? '(no kid)'} that the authorization server's JWKS does not hold${said(f)}`,
    fix: () => 'a key was deleted or revoked (`pnpm admin keys:list`), or JWKS_URL points at another server: the client must get a new token (refresh or reconnect)',
    plain: 'The app\'s access was signed with a key we no longer use. Connecting again fixes it.',
  },
  'token.revoked': {
    ref: 'RFC 7009',
    explain: () => 'the token\'s grant was revoked (the user disconnected the app, an admin revoked it, or a refresh token was reused)',
    fix: () => 'the user has to connect again',
    plain: 'This connection was ended. Connect the app again.',
  },
  'token.invalid': {
    ref: 'RFC 6750 §3.1, RFC 9068',
    explain: (f) => `the access token was refused${said(f)}`,
    fix: () => 'send the access_token from this authorization server\'s token response as "Authorization: Bearer <token>" (DPoP-bound tokens with the DPoP scheme and a proof)',
    plain: 'The app sent an access key we could not accept.',
  },
  'scope.insufficient': {
    ref: 'RFC 6750 §3.1 insufficient_scope',
    explain: (f) => `${f.tool ? `tools/call ${f.tool}` : 'the call'} needs ${list(f.scopesNeeded)}; the token holds ${list(f.scopesHeld)}`,
    fix: () => 'the client must re-authorize with the scope from the WWW-Authenticate challenge (step-up) and the user allow it',
    plain: 'The app tried something you have not allowed it to do.',
  },
  'discovery.not_found': {
    ref: 'RFC 9728 §3, RFC 8414 §3',
    explain: (f) => `${f.path ?? 'a metadata URL'} answered ${f.status ?? 404}`,
    fix: () => 'fetch the resource_metadata URL from the 401 challenge, and the authorization server metadata at /.well-known/oauth-authorization-server (path-insertion: no trailing path)',
    plain: 'The app looked for our settings in the wrong place.',
  },
};

/** A refusal we have no dedicated rule for still gets the OAuth error and our reason. */
export const FALLBACK_RULE: Rule = {
  ref: 'RFC 6749 §5.2',
  explain: (f) => `the server answered ${f.error ?? 'an error'}${said(f)}`,
  fix: () => 'see the reason; the auth app\'s log has the same request with its request id',
  plain: 'Connecting did not work. Try again, or ask your administrator.',
};

export const ruleFor = (id: string | null | undefined): Rule => (id ? RULES[id] : undefined) ?? FALLBACK_RULE;
