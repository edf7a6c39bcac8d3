import type { IdentityProvider, PrismaClient } from '@omnichat/db';
import { discoverIdp, openClientSecret } from '@omnichat/sso';
import { BoundedMap } from '@omnichat/util';
import type { Configuration } from 'openid-client';

/** How long a replica reuses an IdP's discovery document (and its cached JWKS) before asking again. */
const DISCOVERY_TTL_MS = 10 * 60_000;
const MAX_CACHED = 64;

export type SignInProvider = { slug: string; label: string };

/** The buttons of the sign-in pages, in a stable order. */
export async function signInProviders(prisma: PrismaClient): Promise<SignInProvider[]> {
  return prisma.identityProvider.findMany({ select: { slug: true, label: true }, orderBy: [{ label: 'asc' }, { slug: 'asc' }] });
}

/**
 * openid-client configurations per IdP row, discovered on first use and kept for a while. The key
 * includes the row's id and sealed secret, so an IdP removed and added again is discovered afresh.
 * A failed discovery is not kept: the next click tries again.
 */
export function createIdpConfigurations(options: { keyEncryptionSecret: string; timeoutSeconds: number; now?: () => number }) {
  const now = options.now ?? Date.now;
  const cache = new BoundedMap<string, { config: Configuration; until: number }>(MAX_CACHED);
  return async (row: IdentityProvider): Promise<Configuration> => {
    const key = `${row.id}:${row.issuer}:${row.clientId}:${row.clientSecretEncrypted}`;
    const hit = cache.get(key);
    if (hit && hit.until > now()) return hit.config;
    const config = await discoverIdp({
      issuer: row.issuer,
      clientId: row.clientId,
      clientSecret: openClientSecret(row.clientSecretEncrypted, options.keyEncryptionSecret, row.slug),
      timeoutSeconds: options.timeoutSeconds,
    });
    cache.set(key, { config, until: now() + DISCOVERY_TTL_MS });
    return config;
  };
}

export type IdpConfigurations = ReturnType<typeof createIdpConfigurations>;
