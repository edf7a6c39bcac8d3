import type { z } from 'zod';
import type { FastifyBaseLogger } from 'fastify';
import { isUuid, type PrismaClient } from '@omnichat/db';
import type { McpMetrics } from '@omnichat/metrics';
import type { Principal } from '../auth/principal.js';
import type { McpConfig } from '../config.js';

/** What a tool may use: the caller (null only for public tools called anonymously) and the data. */
export type ToolContext = {
  principal: Principal | null;
  prisma: PrismaClient;
  log: FastifyBaseLogger;
  config: McpConfig;
  /** Aborted when the server gives up on the request (shutdown); long-running tools stop on it. */
  signal?: AbortSignal | undefined;
  /** Counts a refusal by a limit (`ssh-concurrency`); absent in unit tests of a tool. */
  metrics?: Pick<McpMetrics, 'rateLimited'> | undefined;
};

/** What a tool returns on success: text for every client, structured data for those that read it. */
export type ToolOutcome = {
  text: string;
  structured?: Record<string, unknown>;
};

export type ToolImplementation<Input extends z.ZodType = z.ZodType> = {
  name: string;
  title: string;
  description: string;
  input: Input;
  /** JSON Schema of structuredContent, when the tool promises a shape. */
  output?: z.ZodType;
  /**
   * Input fields recorded in the tool-call audit (`ToolCall.arguments`, capped). The audit keeps no
   * argument and no result unless the tool names it here: opt in only for what an operator must be
   * able to answer for (ssh_execute: the command), never for content or anything secret.
   */
  auditArguments?: ReadonlyArray<keyof z.output<Input> & string>;
  run(input: z.output<Input>, context: ToolContext): Promise<ToolOutcome>;
};

/** A refusal the caller can act on (bad path, not found, over quota): a tool result with isError. */
export class ToolError extends Error {
  override readonly name = 'ToolError';
}

export function defineTool<Input extends z.ZodType>(tool: ToolImplementation<Input>): ToolImplementation<Input> {
  return tool;
}

/**
 * The owner id every row is keyed by: the token's `sub`, never anything from the arguments
 * (docs/security.md RS-27). Our authorization server's `sub` is User.id, a UUID.
 */
export function ownerId(context: ToolContext): string {
  const subject = context.principal?.subject;
  if (subject === undefined) throw new ToolError('Sign in to use this tool');
  if (!isUuid(subject)) throw new ToolError('This account has no data on this server');
  return subject.toLowerCase();
}

/** Same answer as the tool's `text` for clients that show only text, structured for the rest. */
export function structuredOutcome(structured: Record<string, unknown>, text?: string): ToolOutcome {
  return { text: text ?? JSON.stringify(structured), structured };
}
