/**
 * One audited `tools/call`: who (the token's `sub` and client, null for an anonymous call in mixed
 * mode), which tool, with which scopes, the access decision and, when it ran, how it ended. Never
 * the arguments or the result: `arguments` holds only the fields a tool opted into recording.
 */
export type ToolCallRow = {
  at: Date;
  userId: string | null;
  clientId: string | null;
  tool: string;
  scopes: string[];
  decision: ToolCallDecision;
  reason: ToolCallDenial | null;
  outcome: ToolCallOutcome | null;
  durationMs: number;
  arguments: Record<string, RecordedArgument> | null;
};

export type ToolCallDecision = 'allowed' | 'denied';

/**
 * Why a call was refused before the tool ran: the token lacks a scope the tool needs (a 403 in
 * strict mode, a challenge result in mixed mode); no token at all on a tool that needs one (mixed
 * mode); the name is no registered tool.
 */
export type ToolCallDenial = 'insufficient_scope' | 'authentication_required' | 'unknown_tool';

/**
 * How an allowed call ended: `ok`; `tool_error` (the tool refused: bad path, not found, over
 * quota); `invalid_arguments`; `unavailable` (database down); `internal_error` (an exception).
 */
export type ToolCallOutcome = 'ok' | 'tool_error' | 'invalid_arguments' | 'unavailable' | 'internal_error';

export type RecordedArgument = string | number | boolean | null;

/** The caller's free text (an unknown tool's name) is capped: the audit must not amplify an attack. */
export const MAX_TOOL_NAME_CHARS = 128;
/** Each opted-in argument value, capped (ssh_execute's own audit caps its command the same way). */
export const MAX_ARGUMENT_CHARS = 4096;

/** A caller-given string as a row can hold it: Postgres text and jsonb refuse NUL, long text is cut. */
export function capText(value: string, maxChars: number): string {
  const visible = value.replaceAll('\0', '\\u0000');
  return visible.length > maxChars ? `${visible.slice(0, maxChars)}…[${visible.length - maxChars} more chars]` : visible;
}

/** The fields a tool opted into, from its validated input; anything not a scalar is kept as capped JSON. */
export function pickRecordedArguments(input: unknown, fields: readonly string[]): Record<string, RecordedArgument> | null {
  if (fields.length === 0 || typeof input !== 'object' || input === null) return null;
  const picked: Record<string, RecordedArgument> = {};
  for (const field of fields) {
    const value = (input as Record<string, unknown>)[field];
    if (value === undefined) continue;
    picked[field] =
      typeof value === 'string'
        ? capText(value, MAX_ARGUMENT_CHARS)
        : typeof value === 'number' || typeof value === 'boolean' || value === null
          ? value
          : capText(JSON.stringify(value) ?? '', MAX_ARGUMENT_CHARS);
  }
  return picked;
}
