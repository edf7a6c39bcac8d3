import { Server } from '@modelcontextprotocol/server';
import { APP_VERSION } from '@omnichat/lifecycle';
import { toolRegistryByName, type ToolRegistration } from '../tools/registry.js';
import { createCallToolHandler, type CallToolDeps } from './call-tool.js';
import { buildToolDescriptors } from './tool-descriptors.js';

export const SERVER_INFO = { name: 'omnichat', title: 'OmniChat', version: APP_VERSION } as const;

/**
 * The protocol revisions `POST /mcp` serves, newest first: 2026-07-28 (per-request `_meta`
 * envelope, `server/discover`) and the two 2025 revisions that open with `initialize`. A request
 * naming any other version gets the spec's UnsupportedProtocolVersionError listing these.
 */
export const SUPPORTED_PROTOCOL_VERSIONS = ['2026-07-28', '2025-11-25', '2025-06-18'] as const;
export const MODERN_PROTOCOL_VERSION = '2026-07-28';

/**
 * Builds the low-level SDK `Server`s of this process, one long-lived instance per era: 2025
 * traffic (behind src/mcp/request-transport.ts) and 2026-07-28 traffic (behind
 * src/seams/modern-request-transport.ts, which binds it to that revision). The low-level
 * `Server` (not McpServer) because we answer tools/list with the Apps SDK fields McpServer drops;
 * the SDK still owns initialize, server/discover, ping, capability checks, request/result
 * validation, result encoding and JSON-RPC errors. The handlers and the tools/list result are
 * built once and shared.
 */
// eslint-disable-next-line @typescript-eslint/no-deprecated -- returns the low-level Server (see above)
export function createMcpServerFactory(registry: readonly ToolRegistration[], deps: Omit<CallToolDeps, 'tools'>): () => Server {
  const listResult = { tools: buildToolDescriptors(registry) };
  const listTools = () => listResult;
  const callTool = createCallToolHandler({ ...deps, tools: toolRegistryByName(registry) });
  return () => {
    // eslint-disable-next-line @typescript-eslint/no-deprecated -- the low-level Server is the documented escape hatch
    const server = new Server(SERVER_INFO, {
      capabilities: { tools: { listChanged: false } },
      supportedProtocolVersions: [...SUPPORTED_PROTOCOL_VERSIONS],
    });
    server.setRequestHandler('tools/list', listTools as never);
    server.setRequestHandler('tools/call', callTool);
    return server;
  };
}
