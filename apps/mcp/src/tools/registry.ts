import type { ToolAnnotations } from '@modelcontextprotocol/server';
import type { Scope } from '@omnichat/scopes';
import type { ToolAccess } from './security-schemes.js';
import type { ToolImplementation } from './tool-kit.js';
import { whoami } from './whoami.js';
import { privateFilesList } from './files/private-files-list.js';
import { privateFilesRead } from './files/private-files-read.js';
import { privateFilesWrite } from './files/private-files-write.js';
import { privateFilesDelete } from './files/private-files-delete.js';
import { publicSearch } from './public-search.js';
import { chatHistory } from './chat/chat-history.js';
import { chatSearch } from './chat/chat-search.js';
import { chatPostMessage } from './chat/chat-post-message.js';
import { sshExecute } from './ssh/ssh-execute.js';
import { sshHosts } from './ssh/ssh-hosts.js';

export type ToolRegistration = {
  // The registry is heterogeneous in input types; each tool checks its own input with its schema.
  // eslint-disable-next-line @typescript-eslint/no-explicit-any
  tool: ToolImplementation<any>;
  access: ToolAccess;
  annotations: ToolAnnotations;
  /** Extra `_meta` on the tool descriptor (besides the derived `securitySchemes`). */
  meta?: Record<string, unknown>;
};

const scopes = (...required: Scope[]): ToolAccess => ({ kind: 'scopes', scopes: required });

// All our tools act on this server's own data only, hence openWorldHint: false.
const READ_ONLY: ToolAnnotations = { readOnlyHint: true, destructiveHint: false, openWorldHint: false };

/**
 * The one table of tools: who may call each (from the scope catalogue) and how it behaves. The
 * `securitySchemes` in tools/list, the mixed-mode challenges and the strict-mode 403s all derive
 * from the `access` column.
 */
export const TOOL_REGISTRY: readonly ToolRegistration[] = [
  { tool: publicSearch, access: { kind: 'public' }, annotations: READ_ONLY },
  { tool: whoami, access: { kind: 'signed-in' }, annotations: READ_ONLY, meta: { 'openai/profile': true } },
  { tool: privateFilesList, access: scopes('files:read'), annotations: READ_ONLY },
  { tool: privateFilesRead, access: scopes('files:read'), annotations: READ_ONLY },
  {
    tool: privateFilesWrite,
    access: scopes('files:write'),
    annotations: { readOnlyHint: false, destructiveHint: true, idempotentHint: true, openWorldHint: false },
  },
  {
    tool: privateFilesDelete,
    access: scopes('files:write'),
    annotations: { readOnlyHint: false, destructiveHint: true, idempotentHint: true, openWorldHint: false },
  },
  { tool: chatHistory, access: scopes('chat:read'), annotations: READ_ONLY },
  { tool: chatSearch, access: scopes('chat:read'), annotations: READ_ONLY },
  {
    tool: chatPostMessage,
    access: scopes('chat:write'),
    annotations: { readOnlyHint: false, destructiveHint: false, idempotentHint: false, openWorldHint: false },
  },
  { tool: sshHosts, access: scopes('ssh:execute'), annotations: READ_ONLY },
  {
    tool: sshExecute,
    access: scopes('ssh:execute'),
    // A command can do anything on the remote host, which is outside this server (open world).
    annotations: { readOnlyHint: false, destructiveHint: true, idempotentHint: false, openWorldHint: true },
  },
];

export function toolRegistryByName(registry: readonly ToolRegistration[]): Map<string, ToolRegistration> {
  const byName = new Map<string, ToolRegistration>();
  for (const entry of registry) {
    if (byName.has(entry.tool.name)) throw new TypeError(`duplicate tool name: ${entry.tool.name}`);
    byName.set(entry.tool.name, entry);
  }
  return byName;
}
