import { AccessLogController } from '@omnichat/lifecycle';
import type { FastifyServerOptions } from 'fastify';

import { serializeRequest } from './log-safe-url.js';
import type { TrustProxy } from './trust-proxy.js';

/** Never logged: credentials and the artefacts that act as them. */
const REDACT = ['req.headers.authorization', 'req.headers.cookie', 'res.headers["set-cookie"]'];

export type LogDeps = {
  /** A pino logger or Fastify logger options; defaults to pino at config.logLevel. */
  logger?: FastifyServerOptions['loggerInstance'];
  /** Where the default logger writes (stdout unless given). */
  logStream?: { write(line: string): void } | undefined;
};

/**
 * The Fastify instance's options: one access line per request (AccessLogController), secrets
 * redacted, the SSO callback's query kept out of the log, and `request.ip` the client behind
 * trusted proxies only (AS-71): `false` or the list of proxy addresses/CIDRs/names from
 * http/trust-proxy.ts, which Fastify hands to proxy-addr.
 */
export function serverOptions(config: { logLevel: string; trustProxy: TrustProxy }, deps: LogDeps): FastifyServerOptions {
  const common = { logController: new AccessLogController(), trustProxy: config.trustProxy as FastifyServerOptions['trustProxy'] };
  return deps.logger
    ? { loggerInstance: deps.logger, ...common }
    : { logger: { level: config.logLevel, redact: REDACT, serializers: { req: serializeRequest }, ...(deps.logStream ? { stream: deps.logStream } : {}) }, ...common };
}
