import { OIDC_SCOPES, RESOURCE_SCOPES, isOidcScope, isScope } from '@omnichat/scopes';
import { errors, type KoaContextWithOIDC } from 'oidc-provider';

import type { AuthConfig } from '../config.js';
import { checkRedirectUri } from '../policy/redirect-uri.js';

/** Every scope this server grants: the catalogue's resource scopes plus the OIDC ones. */
export function supportedScopes(): string[] {
  return [...RESOURCE_SCOPES, ...Object.keys(OIDC_SCOPES)];
}

/** Metadata our validator sees (oidc-provider calls it once per listed property). */
export const CLIENT_METADATA_CHECKED = [
  'redirect_uris',
  'grant_types',
  'scope',
  'client_name',
  'contacts',
  'client_uri',
  'logo_uri',
  'policy_uri',
  'tos_uri',
] as const;

const MAX_REDIRECT_URIS = 10;
const MAX_CLIENT_NAME_CHARS = 200;
const MAX_URI_CHARS = 2000;
const MAX_CONTACTS = 5;
const ALLOWED_GRANT_TYPES = new Set(['authorization_code', 'refresh_token']);

type Metadata = Record<string, unknown>;

/**
 * extraClientMetadata.validator: the open-DCR policy (IAT policies cannot run: ChatGPT sends no
 * initial access token). It runs for registrations, for stored clients when they load and for
 * CIMD documents, so a redirect URI off the allow-list never gets through any door (AS-41, AS-47).
 */
export function clientMetadataValidator(config: AuthConfig) {
  return (_ctx: KoaContextWithOIDC | undefined, key: string, value: unknown, metadata: Metadata): void => {
    switch (key) {
      case 'redirect_uris': {
        if (!Array.isArray(value) || value.length === 0) return; // oidc-provider reports the missing value
        if (value.length > MAX_REDIRECT_URIS) {
          throw new errors.InvalidClientMetadata(`at most ${MAX_REDIRECT_URIS} redirect_uris are allowed`);
        }
        for (const uri of value) {
          if (typeof uri !== 'string') throw new errors.InvalidRedirectUri('redirect_uris must be strings');
          const verdict = checkRedirectUri(uri, config.allowedRedirectUris);
          if (!verdict.ok) throw new errors.InvalidRedirectUri(verdict.reason);
        }
        return;
      }
      case 'grant_types': {
        if (Array.isArray(value) && value.some((grant) => !ALLOWED_GRANT_TYPES.has(grant as string))) {
          throw new errors.InvalidClientMetadata('grant_types may only contain authorization_code and refresh_token');
        }
        return;
      }
      case 'scope': {
        // RFC 7591 §2: a client that names no scope gets the server's choice; ours is everything
        // it may ever ask for, so a ChatGPT connection (which sends none) can use every tool.
        if (value === undefined || value === null || value === '') {
          metadata.scope = supportedScopes().join(' ');
          return;
        }
        if (typeof value !== 'string' || value.length > 1000) throw new errors.InvalidClientMetadata('scope must be a short string');
        const unknown = value.split(' ').filter((scope) => scope && !isScope(scope) && !isOidcScope(scope));
        if (unknown.length > 0) throw new errors.InvalidClientMetadata(`unsupported scope: ${unknown.join(' ')}`);
        return;
      }
      case 'client_name': {
        if (value !== undefined && (typeof value !== 'string' || value.length > MAX_CLIENT_NAME_CHARS)) {
          throw new errors.InvalidClientMetadata(`client_name must be a string of at most ${MAX_CLIENT_NAME_CHARS} characters`);
        }
        return;
      }
      case 'contacts': {
        if (value !== undefined && (!Array.isArray(value) || value.length > MAX_CONTACTS || value.some((c) => typeof c !== 'string' || c.length > 200))) {
          throw new errors.InvalidClientMetadata(`contacts must be at most ${MAX_CONTACTS} short strings`);
        }
        return;
      }
      default: {
        if (value !== undefined && (typeof value !== 'string' || value.length > MAX_URI_CHARS)) {
          throw new errors.InvalidClientMetadata(`${key} must be a URI of at most ${MAX_URI_CHARS} characters`);
        }
      }
    }
  };
}
