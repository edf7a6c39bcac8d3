import { capText, MAX_TOOL_NAME_CHARS, type RecordedArgument, type ToolCallDenial, type ToolCallOutcome, type ToolCallRow } from '@omnichat/tool-audit';
import { InsufficientScopeError, type AuthError } from '../auth/errors.js';
import type { Principal } from '../auth/principal.js';

/** Where every tools/call lands (packages/tool-audit's batch writer); absent when the audit is off (bench twin). */
export type ToolCallAuditSink = { record(row: ToolCallRow): void };

/**
 * One call's audit, started when it arrives: `allowed` / `denied` write its row, with the wall
 * time since the start. Same shape for both protocol eras and for refusals at the HTTP layer.
 */
export function startToolCallAudit(sink: ToolCallAuditSink | undefined, principal: Principal | null, tool: string, known: boolean) {
  if (!sink) return NO_AUDIT;
  const at = new Date();
  const started = performance.now();
  const row = (decision: ToolCallRow['decision'], reason: ToolCallDenial | null, outcome: ToolCallOutcome | null, args: Record<string, RecordedArgument> | null): ToolCallRow => ({
    at,
    userId: principal?.subject ?? null,
    clientId: principal?.clientId ?? null,
    // An unknown name is the caller's free text: kept (an operator wants to see it), but capped.
    tool: known ? tool : capText(tool, MAX_TOOL_NAME_CHARS),
    scopes: principal ? [...principal.scopes] : [],
    decision,
    reason,
    outcome,
    durationMs: Math.round((performance.now() - started) * 1000) / 1000,
    arguments: args,
  });
  return {
    denied: (reason: ToolCallDenial) => sink.record(row('denied', reason, null, null)),
    allowed: (outcome: ToolCallOutcome, args: Record<string, RecordedArgument> | null = null) => sink.record(row('allowed', null, outcome, args)),
  };
}

export type ToolCallAudit = ReturnType<typeof startToolCallAudit>;

const NO_AUDIT = { denied: () => {}, allowed: () => {} };

/** The audit's word for an access refusal (checkToolAccess returns one of these two). */
export function denialReason(error: AuthError): ToolCallDenial {
  return error instanceof InsufficientScopeError ? 'insufficient_scope' : 'authentication_required';
}
