import type { FastifyError, FastifyInstance, FastifyRequest } from 'fastify';
import { isDpopAuthorization } from '../auth/bearer-token.js';
import { challengeForError } from '../auth/challenge-for-error.js';
import { dpopChallengeForError } from '../auth/dpop-challenge.js';
import { DpopReplayUnavailableError } from '../auth/dpop-replay.js';
import { InvalidDpopProofError, InvalidTokenError, isAuthError, KeysUnavailableError, type AuthError } from '../auth/errors.js';
import { JsonRpcHttpError, jsonRpcErrorBody } from './json-rpc-http-error.js';

/** Fastify's own 4xx errors, answered in the transport's JSON-RPC shape. */
const FASTIFY_ERRORS: Record<string, { rpcCode: number; message: string }> = {
  FST_ERR_CTP_INVALID_JSON_BODY: { rpcCode: -32700, message: 'Parse error: Invalid JSON' },
  FST_ERR_CTP_EMPTY_JSON_BODY: { rpcCode: -32700, message: 'Parse error: Invalid JSON' },
  FST_ERR_CTP_INVALID_CONTENT_LENGTH: { rpcCode: -32700, message: 'Parse error: Invalid JSON' },
  FST_ERR_CTP_BODY_TOO_LARGE: { rpcCode: -32000, message: 'Payload too large' },
  FST_ERR_CTP_INVALID_MEDIA_TYPE: { rpcCode: -32000, message: 'Unsupported Media Type: Content-Type must be application/json' },
};

/**
 * The one place errors become HTTP answers: auth errors become RFC 6750 challenges, transport
 * refusals JSON-RPC errors, anything unexpected a logged 500 that shows no internals.
 */
export function registerErrorHandler(
  app: FastifyInstance,
  resourceMetadataUrl: string,
  /** The connection doctor: told of every refusal by token policy (it only queues). */
  onAuthRefused?: (request: FastifyRequest, error: AuthError, status: number) => void,
): void {
  app.setErrorHandler((error: FastifyError | Error, request, reply) => {
    if (isAuthError(error)) {
      // A request that used the DPoP scheme is answered with a DPoP challenge (RFC 9449 §7.1).
      const { authorization } = request.headers;
      const challenge = authorization && isDpopAuthorization(authorization)
        ? dpopChallengeForError(error, resourceMetadataUrl)
        : challengeForError(error, resourceMetadataUrl);
      // Rich reason in the log (expired, aud_mismatch...), the short one on the wire.
      request.log.info(
        { reason: error instanceof InvalidTokenError || error instanceof InvalidDpopProofError ? error.reason : error.name, status: challenge.status },
        'request refused by token policy',
      );
      onAuthRefused?.(request, error, challenge.status);
      return reply
        .code(challenge.status)
        .header('www-authenticate', challenge.header)
        .header('cache-control', 'no-store')
        .send(challenge.body);
    }
    if (error instanceof JsonRpcHttpError) {
      return reply.code(error.statusCode).headers(error.headers).send(jsonRpcErrorBody(error.rpcCode, error.message, error.data, error.id));
    }
    if (error instanceof DpopReplayUnavailableError) {
      request.log.warn({ err: error.cause }, 'DPoP replay store unavailable');
      return reply.code(503).header('retry-after', '5').send(jsonRpcErrorBody(-32000, 'Service temporarily unavailable'));
    }
    if (error instanceof KeysUnavailableError) {
      request.log.warn({ err: error.cause }, 'authorization server keys unavailable');
      return reply.code(503).header('retry-after', '5').send(jsonRpcErrorBody(-32000, 'Service temporarily unavailable'));
    }
    const code = 'code' in error ? error.code : undefined;
    const known = code ? FASTIFY_ERRORS[code] : undefined;
    const status = 'statusCode' in error ? error.statusCode : undefined;
    if (known && status) return reply.code(status).send(jsonRpcErrorBody(known.rpcCode, known.message));
    if (status && status >= 400 && status < 500) {
      return reply.code(status).send(jsonRpcErrorBody(-32000, 'Bad Request'));
    }
    request.log.error({ err: error }, 'unhandled error');
    return reply.code(500).send(jsonRpcErrorBody(-32603, 'Internal error'));
  });
}
