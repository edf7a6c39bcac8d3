import { Server } from '@modelcontextprotocol/sdk/server/index.js';
import { CallToolRequestSchema, ListToolsRequestSchema } from '@modelcontextprotocol/sdk/types.js';
import { APP_VERSION } from '@omnichat/lifecycle';
import { toolRegistryByName, type ToolRegistration } from '../tools/registry.js';
import { createCallToolHandler, type CallToolDeps } from './call-tool.js';
import { buildToolDescriptors } from './tool-descriptors.js';

export const SERVER_INFO = { name: 'omnichat', title: 'OmniChat', version: APP_VERSION } as const;

/**
 * The one long-lived MCP server of this process. The low-level `Server` (not McpServer) because we
 * answer tools/list with the Apps SDK fields McpServer drops; the SDK still owns initialize, ping,
 * capability checks, request/result validation and JSON-RPC errors.
 */
// eslint-disable-next-line @typescript-eslint/no-deprecated -- returns the low-level Server (see above)
export function createMcpServer(registry: readonly ToolRegistration[], deps: Omit<CallToolDeps, 'tools'>): Server {
  // eslint-disable-next-line @typescript-eslint/no-deprecated -- the low-level Server is the documented escape hatch
  const server = new Server(SERVER_INFO, { capabilities: { tools: { listChanged: false } } });
  const listResult = { tools: buildToolDescriptors(registry) };
  server.setRequestHandler(ListToolsRequestSchema, async () => listResult);
  server.setRequestHandler(CallToolRequestSchema, createCallToolHandler({ ...deps, tools: toolRegistryByName(registry) }));
  return server;
}
