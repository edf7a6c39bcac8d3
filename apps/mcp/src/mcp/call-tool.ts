import { ProtocolError, ProtocolErrorCode, type CallToolRequest, type CallToolResult, type ServerContext } from '@modelcontextprotocol/server';
import type { FastifyBaseLogger } from 'fastify';
import type { z } from 'zod';
import type { PrismaClient } from '@omnichat/db';
import { UNKNOWN_TOOL, type McpMetrics, type ToolCallOutcome } from '@omnichat/metrics';
import type { McpConfig } from '../config.js';
import { challengeForError } from '../auth/challenge-for-error.js';
import type { AuthError } from '../auth/errors.js';
import { checkToolAccess } from '../tools/security-schemes.js';
import type { ToolRegistration } from '../tools/registry.js';
import { ToolError } from '../tools/tool-kit.js';
import { pickRecordedArguments } from '@omnichat/tool-audit';
import { isDatabaseUnavailable } from './database-unavailable.js';
import { principalFromAuthInfo } from './principal-info.js';
import { denialReason, startToolCallAudit, type ToolCallAuditSink } from './tool-call-audit.js';

export type CallToolDeps = {
  tools: ReadonlyMap<string, ToolRegistration>;
  prisma: PrismaClient;
  log: FastifyBaseLogger;
  resourceMetadataUrl: string;
  config: McpConfig;
  /** omnichat_tool_calls_total{tool,outcome}; the SSH tool's concurrency refusals too. */
  metrics?: Pick<McpMetrics, 'toolCall' | 'rateLimited'> | undefined;
  /** The tool-call audit (one row per call, batched); absent only when it is off (the bench's twin). */
  audit?: ToolCallAuditSink | undefined;
};

/**
 * `tools/call`: access check, argument validation, then the tool. Refusals the caller can act on
 * are tool results with `isError` (MCP tools spec: tool errors are results, not protocol errors);
 * a missing sign-in or scope carries the challenge in `_meta["mcp/www_authenticate"]` (Apps SDK).
 * Every call, however it ends, leaves one audit row (both protocol eras come through here; strict
 * mode's HTTP-layer scope refusals are audited in src/http/mcp-route.ts).
 */
export function createCallToolHandler(deps: CallToolDeps) {
  return async (request: CallToolRequest, ctx: ServerContext): Promise<CallToolResult> => {
    const { name } = request.params;
    const entry = deps.tools.get(name);
    // The label is a registered name or UNKNOWN_TOOL: a caller's made-up name never becomes a series.
    const counted = (outcome: ToolCallOutcome) => deps.metrics?.toolCall(entry ? name : UNKNOWN_TOOL, outcome);
    const principal = principalFromAuthInfo(ctx.http?.authInfo);
    const audit = startToolCallAudit(deps.audit, principal, name, entry !== undefined);
    if (!entry) {
      counted('unknown_tool');
      audit.denied('unknown_tool');
      throw new ProtocolError(ProtocolErrorCode.InvalidParams, `Unknown tool: ${name}`);
    }

    const denied = checkToolAccess(entry.access, principal);
    if (denied) {
      counted('denied');
      audit.denied(denialReason(denied));
      return challengeResult(denied, deps.resourceMetadataUrl);
    }

    const parsed = entry.tool.input.safeParse(request.params.arguments ?? {});
    if (!parsed.success) {
      counted('invalid_arguments');
      audit.allowed('invalid_arguments');
      return errorResult(`Invalid arguments for ${name}: ${describeIssues(parsed.error)}`);
    }
    // Only the fields the tool declared (ssh_execute: the command); nothing else of the call is kept.
    const recorded = entry.tool.auditArguments ? pickRecordedArguments(parsed.data, entry.tool.auditArguments) : null;

    try {
      const outcome = await entry.tool.run(parsed.data, { principal, prisma: deps.prisma, log: deps.log, config: deps.config, signal: ctx.mcpReq.signal, metrics: deps.metrics });
      counted('ok');
      audit.allowed('ok', recorded);
      return {
        content: [{ type: 'text', text: outcome.text }],
        ...(outcome.structured ? { structuredContent: outcome.structured } : {}),
      };
    } catch (error) {
      if (error instanceof ToolError) {
        counted('tool_error');
        audit.allowed('tool_error', recorded);
        return errorResult(error.message);
      }
      if (isDatabaseUnavailable(error)) {
        counted('unavailable');
        audit.allowed('unavailable', recorded);
        // A retryable outage, not a bug: say so plainly, with no internals (docs/security.md, database faults).
        deps.log.warn({ err: error, tool: name }, 'database unavailable');
        return errorResult(DATABASE_UNAVAILABLE);
      }
      counted('internal_error');
      audit.allowed('internal_error', recorded);
      deps.log.error({ err: error, tool: name }, 'tool failed');
      throw new ProtocolError(ProtocolErrorCode.InternalError, 'Internal error');
    }
  };
}

export const DATABASE_UNAVAILABLE = 'The service is temporarily unavailable. Try again in a moment.';

function errorResult(text: string): CallToolResult {
  return { isError: true, content: [{ type: 'text', text }] };
}

function challengeResult(error: AuthError, resourceMetadataUrl: string): CallToolResult {
  const challenge = challengeForError(error, resourceMetadataUrl);
  return {
    isError: true,
    content: [{ type: 'text', text: challenge.body.error_description }],
    _meta: { 'mcp/www_authenticate': [challenge.toolChallenge] },
  };
}

function describeIssues(error: z.ZodError): string {
  return error.issues
    .map((issue) => `${issue.path.length > 0 ? issue.path.join('.') : 'arguments'}: ${issue.message}`)
    .join('; ');
}
