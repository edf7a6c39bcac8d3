// @omnichat/tool-audit: the tool-call audit (ToolCall rows). The MCP app writes it in batches and
// prunes it; the admin CLI reads it (`pnpm admin audit:tools`). Neither app imports the other.
export {
  capText,
  pickRecordedArguments,
  MAX_ARGUMENT_CHARS,
  MAX_TOOL_NAME_CHARS,
  type RecordedArgument,
  type ToolCallDecision,
  type ToolCallDenial,
  type ToolCallOutcome,
  type ToolCallRow,
} from './tool-call-row.js';
export { createToolAuditWriter, TOOL_AUDIT_DEFAULTS, type DropReason, type ToolAuditLogger, type ToolAuditWriter, type ToolAuditWriterOptions } from './batch-writer.js';
export { pruneToolCalls, startToolAuditRetention, DEFAULT_RETENTION_DAYS, PRUNE_BATCH_ROWS, PRUNE_INTERVAL_MS, type ToolAuditRetention } from './retention.js';
export { findToolCalls, type ToolCallEntry, type ToolCallFilter } from './query.js';
