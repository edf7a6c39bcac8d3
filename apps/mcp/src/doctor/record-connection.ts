import type { PrismaClient } from '@omnichat/db';
import { createDoctorRecorder, discoveryStep, type ConnectionFacts, type DoctorRecorder } from '@omnichat/doctor';
import type { FastifyInstance, FastifyRequest } from 'fastify';
import { decodeJwt, decodeProtectedHeader } from 'jose';

import { extractAccessToken } from '../auth/bearer-token.js';
import {
  AuthenticationRequiredError,
  InsufficientScopeError,
  InvalidDpopProofError,
  InvalidTokenError,
  type AuthError,
  type InvalidTokenReason,
} from '../auth/errors.js';
import type { McpConfig } from '../config.js';

declare module 'fastify' {
  interface FastifyInstance {
    /** The connection doctor's recorder (doctor/record-connection.ts). */
    doctor: DoctorRecorder;
  }
}

/** Grants whose first accepted call this replica has recorded; older ones are forgotten first. */
const SEEN_GRANTS = 10_000;

export type McpDoctor = {
  /** From the authenticate hook: records the first accepted call of each grant only (a Set lookup otherwise). */
  accepted(request: FastifyRequest): void;
  /** From the error handler: every refused /mcp call, with why. */
  refused(request: FastifyRequest, error: AuthError, status: number): void;
};

const TOKEN_RULES: Partial<Record<InvalidTokenReason, string>> = {
  expired: 'token.expired',
  aud_mismatch: 'token.aud_mismatch',
  iss_mismatch: 'token.iss_mismatch',
  unknown_kid: 'token.unknown_key',
  revoked_key: 'token.unknown_key',
  revoked: 'token.revoked',
};

/**
 * The MCP app's side of the connection doctor: protected resource metadata fetches (and the 404s
 * of a wrong well-known path), the first accepted /mcp call per grant, and every refused one with
 * its reason. What a refused token claimed (aud, iss, exp, kid, client_id) is read without
 * trusting it, to explain the refusal; the token itself is never kept.
 */
export function installMcpDoctor(app: FastifyInstance, config: McpConfig, prisma: PrismaClient): McpDoctor {
  const recorder: DoctorRecorder = createDoctorRecorder({ prisma, log: app.log });
  app.decorate('doctor', recorder);
  app.addHook('onClose', async () => recorder.close());
  const seen = new Set<string>();

  // One character test per request; only well-known fetches pay for more.
  app.addHook('onRequest', (request, reply, done) => {
    if (request.url.startsWith('/.well-known/')) {
      reply.raw.once('finish', () => recorder.record(discoveryStep({ method: request.method, url: request.url, ip: request.ip, status: reply.raw.statusCode }, 'protected resource metadata')));
    }
    done();
  });

  return {
    accepted(request) {
      const principal = request.principal;
      if (!principal) return;
      const key = principal.grantId ?? `${principal.clientId} ${principal.subject}`;
      if (seen.has(key)) return;
      if (seen.size >= SEEN_GRANTS) seen.delete(seen.values().next().value as string);
      seen.add(key);
      recorder.record({
        step: 'mcp',
        outcome: 'ok',
        clientId: principal.clientId,
        userId: principal.subject,
        source: request.ip,
        detail: `first accepted ${request.method} /mcp for this grant`,
        facts: { scopesHeld: [...principal.scopes] },
      });
    },
    refused(request, error, status) {
      if (error instanceof AuthenticationRequiredError) {
        // The expected start of a connection: the challenge that sends the client to discovery.
        recorder.record({ step: 'discovery', outcome: 'ok', source: request.ip, detail: `anonymous ${request.method} /mcp answered ${status} with the resource_metadata challenge` });
        return;
      }
      const claims = claimedBy(request);
      if (claims.grantId) seen.delete(claims.grantId);
      const base = { step: 'mcp' as const, outcome: 'failed' as const, clientId: claims.clientId, userId: claims.subject, source: request.ip };
      const facts: ConnectionFacts = { method: request.method, path: request.url.split('?')[0] ?? request.url, status, ...claims.facts };
      if (error instanceof InsufficientScopeError) {
        const principal = request.principal;
        const tool = toolOf(request.body);
        recorder.record({
          ...base,
          clientId: principal?.clientId ?? base.clientId,
          userId: principal?.subject ?? base.userId,
          rule: 'scope.insufficient',
          detail: `${status} insufficient_scope${tool ? ` for ${tool}` : ''}`,
          facts: { ...facts, scopesNeeded: [...error.requiredScopes], scopesHeld: [...(principal?.scopes ?? [])], ...(tool ? { tool } : {}) },
        });
        return;
      }
      if (error instanceof InvalidTokenError) {
        const rule = TOKEN_RULES[error.reason] ?? 'token.invalid';
        recorder.record({
          ...base,
          rule,
          detail: `${status} invalid_token (${error.reason})`,
          facts: { ...facts, reason: error.reason, expectedAudience: config.resourceUrl, expectedIssuer: config.issuer },
        });
        return;
      }
      const reason = error instanceof InvalidDpopProofError ? `DPoP proof: ${error.reason}` : error.description;
      recorder.record({ ...base, rule: 'token.invalid', detail: `${status} ${error.code} (${reason})`, facts: { ...facts, reason } });
    },
  };
}

type Claimed = { clientId?: string; subject?: string; grantId?: string; facts: ConnectionFacts };

/** What the presented token says about itself, unverified: enough to name the client and the mismatch. */
function claimedBy(request: FastifyRequest): Claimed {
  let token: string | null = null;
  try {
    token = extractAccessToken(request.headers.authorization, undefined);
  } catch {
    return { facts: {} };
  }
  if (!token) return { facts: {} };
  try {
    const payload = decodeJwt(token);
    const { kid } = decodeProtectedHeader(token);
    const text = (value: unknown) => (typeof value === 'string' ? value : undefined);
    const aud = typeof payload.aud === 'string' ? [payload.aud] : Array.isArray(payload.aud) ? payload.aud.map(String) : undefined;
    const clientId = text(payload['client_id']);
    const subject = text(payload.sub);
    const grantId = text(payload['gid']);
    return {
      ...(clientId ? { clientId } : {}),
      ...(subject ? { subject } : {}),
      ...(grantId ? { grantId } : {}),
      facts: {
        ...(aud ? { tokenAudience: aud } : {}),
        ...(text(payload.iss) ? { tokenIssuer: text(payload.iss) } : {}),
        ...(typeof payload.exp === 'number' ? { expiredAt: new Date(payload.exp * 1000).toISOString() } : {}),
        ...(kid ? { kid } : {}),
      },
    };
  } catch {
    return { facts: {} };
  }
}

function toolOf(body: unknown): string | undefined {
  const name = (body as { method?: unknown; params?: { name?: unknown } } | undefined)?.params?.name;
  return (body as { method?: unknown } | undefined)?.method === 'tools/call' && typeof name === 'string' ? name : undefined;
}
