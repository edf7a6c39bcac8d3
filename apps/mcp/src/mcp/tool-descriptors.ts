import { z } from 'zod';
import { securitySchemesFor } from '../tools/security-schemes.js';
import type { ToolRegistration } from '../tools/registry.js';

/**
 * The `tools/list` entries, built once at start-up. We answer tools/list ourselves because
 * McpServer.registerTool (SDK 1.32) drops a top-level `securitySchemes`; the Apps SDK reads it
 * there, and some clients read only `_meta.securitySchemes`, so both carry the same array.
 */
export function buildToolDescriptors(registry: readonly ToolRegistration[]): Array<Record<string, unknown>> {
  return registry.map(({ tool, access, annotations, meta }) => {
    const securitySchemes = securitySchemesFor(access);
    return {
      name: tool.name,
      title: tool.title,
      description: tool.description,
      inputSchema: jsonSchemaOf(tool.input, 'input'),
      ...(tool.output ? { outputSchema: jsonSchemaOf(tool.output, 'output') } : {}),
      annotations: { title: tool.title, ...annotations },
      securitySchemes,
      _meta: { ...meta, securitySchemes },
    };
  });
}

function jsonSchemaOf(schema: z.ZodType, io: 'input' | 'output'): Record<string, unknown> {
  const { $schema: _dialect, ...json } = z.toJSONSchema(schema, { io, unrepresentable: 'any' }) as Record<string, unknown>;
  return json;
}
