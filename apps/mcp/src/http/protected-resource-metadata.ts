import type { FastifyInstance } from 'fastify';
import { RESOURCE_SCOPES } from '@omnichat/scopes';
import { DPOP_ALGORITHMS } from '../auth/dpop-proof.js';
import type { McpConfig } from '../config.js';

const WELL_KNOWN = '/.well-known/oauth-protected-resource';

/**
 * RFC 9728 §3.1: the metadata URL inserts the well-known segment between the host and the
 * resource's path (`https://h/mcp` → `https://h/.well-known/oauth-protected-resource/mcp`).
 */
export function resourceMetadataUrl(resourceUrl: string): string {
  const url = new URL(resourceUrl);
  const path = url.pathname === '/' ? '' : url.pathname;
  return `${url.origin}${WELL_KNOWN}${path}`;
}

export function documentationUrl(resourceUrl: string): string {
  return `${new URL(resourceUrl).origin}/docs`;
}

/** RFC 9728 §2 document. `resource` must equal the tokens' `aud` byte for byte (RS-25). */
export function buildProtectedResourceMetadata(config: Pick<McpConfig, 'resourceUrl' | 'issuer' | 'resourceName'>) {
  return {
    resource: config.resourceUrl,
    authorization_servers: [config.issuer],
    // SEP-2207: resource scopes only; offline_access belongs in AS metadata.
    scopes_supported: [...RESOURCE_SCOPES],
    bearer_methods_supported: ['header'],
    // RFC 9728 §2: proofs we verify. Bearer stays accepted, so `dpop_bound_access_tokens_required` is omitted (false).
    dpop_signing_alg_values_supported: [...DPOP_ALGORITHMS],
    resource_name: config.resourceName,
    resource_documentation: documentationUrl(config.resourceUrl),
  };
}

/**
 * Serves the document at the path-inserted URL and at the root well-known URL, which ChatGPT
 * has been seen probing (docs/clients.md §1).
 */
export function registerProtectedResourceMetadata(app: FastifyInstance, config: McpConfig): void {
  const document = JSON.stringify(buildProtectedResourceMetadata(config));
  const paths = new Set([new URL(resourceMetadataUrl(config.resourceUrl)).pathname, WELL_KNOWN]);
  for (const path of paths) {
    app.get(path, async (_request, reply) => {
      return reply.header('cache-control', 'public, max-age=300').type('application/json').send(document);
    });
  }
}
