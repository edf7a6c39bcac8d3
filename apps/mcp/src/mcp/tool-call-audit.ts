import { capText, MAX_TOOL_NAME_CHARS, type RecordedArgument, type ToolCallDenial, type ToolCallOutcome, type ToolCallRow } from '@omnichat/tool-audit';
import { InsufficientScopeError, type AuthError } from '../auth/errors.js';
import type { Principal } from '../auth/principal.js';

/** Where every tools/call lands (packages/tool-audit's batch writer); absent when the audit is off (bench twin). */
export type ToolCallAuditSink = { record(row: ToolCallRow): void };

/**
 * One call's audit, started when it arrives: `allowed` / `denied` write its row, with the wall
 * time since the start. Same shape for both protocol eras and for refusals at the HTTP layer.
 * One small object per call (methods on the prototype): this runs on every tools/call.
 */
class ToolCallAudit {
  private readonly at = new Date();
  private readonly started = performance.now();
  constructor(
    private readonly sink: ToolCallAuditSink,
    private readonly principal: Principal | null,
    private readonly tool: string,
  ) {}

  denied(reason: ToolCallDenial): void {
    this.sink.record(this.row('denied', reason, null, null));
  }

  allowed(outcome: ToolCallOutcome, args: Record<string, RecordedArgument> | null = null): void {
    this.sink.record(this.row('allowed', null, outcome, args));
  }

  private row(decision: ToolCallRow['decision'], reason: ToolCallDenial | null, outcome: ToolCallOutcome | null, args: Record<string, RecordedArgument> | null): ToolCallRow {
    const { principal } = this;
    return {
      at: this.at,
      userId: principal?.subject ?? null,
      clientId: principal?.clientId ?? null,
      tool: this.tool,
      // The verified principal's own array (never mutated; a cached token's calls share it).
      scopes: (principal?.scopes ?? NO_SCOPES) as string[],
      decision,
      reason,
      outcome,
      durationMs: Math.round((performance.now() - this.started) * 1000) / 1000,
      arguments: args,
    };
  }
}

const NO_SCOPES: readonly string[] = [];
const NO_AUDIT: Pick<ToolCallAudit, 'denied' | 'allowed'> = { denied: () => {}, allowed: () => {} };

export function startToolCallAudit(sink: ToolCallAuditSink | undefined, principal: Principal | null, tool: string, known: boolean): Pick<ToolCallAudit, 'denied' | 'allowed'> {
  if (!sink) return NO_AUDIT;
  // An unknown name is the caller's free text: kept (an operator wants to see it), but capped.
  return new ToolCallAudit(sink, principal, known ? tool : capText(tool, MAX_TOOL_NAME_CHARS));
}

/** The audit's word for an access refusal (checkToolAccess returns one of these two). */
export function denialReason(error: AuthError): ToolCallDenial {
  return error instanceof InsufficientScopeError ? 'insufficient_scope' : 'authentication_required';
}
