import type { FastifyInstance } from 'fastify';
import { describeScope } from '@omnichat/scopes';
import { requiredScopes } from '../tools/security-schemes.js';
import type { ToolRegistration } from '../tools/registry.js';

/** PRM `resource_documentation`: what each tool does and which scopes it needs. */
export function registerDocsRoute(app: FastifyInstance, resourceName: string, registry: readonly ToolRegistration[]): void {
  const lines = [`${resourceName} MCP server`, '', 'Tools:'];
  for (const { tool, access } of registry) {
    const needs =
      access.kind === 'public'
        ? 'no sign-in needed'
        : access.kind === 'signed-in'
          ? 'any signed-in account'
          : requiredScopes(access).map((scope) => `${scope} (${describeScope(scope)})`).join(', ');
    lines.push(`- ${tool.name}: ${tool.description} Needs: ${needs}.`);
  }
  const text = `${lines.join('\n')}\n`;
  app.get('/docs', async (_request, reply) => reply.type('text/plain; charset=utf-8').send(text));
}
