import { hasScopes, type Scope } from '@omnichat/scopes';
import {
  AuthenticationRequiredError,
  InsufficientScopeError,
  type AuthError,
} from '../auth/errors.js';
import type { Principal } from '../auth/principal.js';

/**
 * Who may call a tool: anyone, anyone with a valid token for this resource, or a token carrying
 * these catalogue scopes.
 */
export type ToolAccess =
  | { kind: 'public' }
  | { kind: 'signed-in' }
  | { kind: 'scopes'; scopes: readonly Scope[] };

export type SecurityScheme = { type: 'noauth' } | { type: 'oauth2'; scopes: string[] };

/** Apps SDK `securitySchemes` for a tool, derived from its access rule (never spelled by hand). */
export function securitySchemesFor(access: ToolAccess): SecurityScheme[] {
  switch (access.kind) {
    case 'public':
      return [{ type: 'noauth' }];
    case 'signed-in':
      return [{ type: 'oauth2', scopes: [] }];
    case 'scopes':
      return [{ type: 'oauth2', scopes: [...access.scopes] }];
  }
}

export function requiredScopes(access: ToolAccess): readonly Scope[] {
  return access.kind === 'scopes' ? access.scopes : [];
}

/**
 * Whether `principal` may call a tool with this access rule; the error says what is missing.
 * MCP authorization "Runtime Insufficient Scope Errors": name every scope the call needs.
 */
export function checkToolAccess(access: ToolAccess, principal: Principal | null): AuthError | null {
  if (access.kind === 'public') return null;
  if (principal === null) return new AuthenticationRequiredError(requiredScopes(access));
  if (access.kind === 'scopes' && !hasScopes(principal.scopes, access.scopes)) {
    return new InsufficientScopeError(access.scopes);
  }
  return null;
}
