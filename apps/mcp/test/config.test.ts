import { describe, expect, it } from 'vitest';
import { loadMcpConfig } from '../src/config.js';

describe('loadMcpConfig', () => {
  it('has the documented defaults', () => {
    const config = loadMcpConfig({});
    expect(config).toMatchObject({
      issuer: 'http://localhost:4000',
      resourceUrl: 'http://localhost:3000/mcp',
      jwksUrl: 'http://localhost:4000/jwks',
      port: 3000,
      corsOrigins: ['https://chatgpt.com', 'https://platform.openai.com'],
      allowedHosts: ['localhost:3000'],
      allowedOrigins: ['http://localhost:3000', 'https://chatgpt.com', 'https://platform.openai.com'],
      requireAuth: true,
      toolAudit: { retentionDays: 30 },
    });
    expect(loadMcpConfig({ TOOL_AUDIT_RETENTION_DAYS: '7' }).toolAudit).toEqual({ retentionDays: 7 });
  });

  it.each([
    ['unset', undefined, true],
    // eslint-disable-next-line no-template-curly-in-string -- compose's own syntax, not a template
    ['empty (compose passes ${MCP_REQUIRE_AUTH:-})', '', true],
    ['true', 'true', true],
    ['1', '1', true],
    ['false: ChatGPT mixed mode', 'false', false],
    ['0', '0', false],
  ])('MCP_REQUIRE_AUTH %s → strict %s', (_name, value, strict) => {
    expect(loadMcpConfig(value === undefined ? {} : { MCP_REQUIRE_AUTH: value }).requireAuth).toBe(strict);
  });

  it('derives JWKS_URL from ISSUER and reads strict mode', () => {
    const config = loadMcpConfig({ ISSUER: 'https://auth.example.com', MCP_REQUIRE_AUTH: 'true' });
    expect(config.jwksUrl).toBe('https://auth.example.com/jwks');
    expect(config.requireAuth).toBe(true);
  });

  it.each([
    ['an issuer with a trailing slash', { ISSUER: 'http://localhost:4000/' }, 'ISSUER'],
    ['a non-URL issuer', { ISSUER: 'auth' }, 'ISSUER'],
    ['a resource URL with a query', { RESOURCE_URL: 'http://localhost:3000/mcp?x=1' }, 'RESOURCE_URL'],
    // Refused by the auth app before the two shared one schema (@omnichat/config); the MCP app took them.
    ['a resource URL with a trailing slash', { RESOURCE_URL: 'http://localhost:3000/mcp/' }, 'RESOURCE_URL'],
    ['an issuer with a query', { ISSUER: 'http://localhost:4000?tenant=a' }, 'ISSUER'],
    ['a non-canonical resource URL', { RESOURCE_URL: 'HTTP://LOCALHOST:3000/mcp' }, 'RESOURCE_URL'],
    ['a symmetric algorithm', { ACCESS_TOKEN_ALGORITHMS: 'RS256,HS256' }, 'ACCESS_TOKEN_ALGORITHMS'],
    ['a bad port', { MCP_PORT: '70000' }, 'MCP_PORT'],
    ['a bad flag', { MCP_REQUIRE_AUTH: 'yes' }, 'MCP_REQUIRE_AUTH'],
    ['a zero audit retention', { TOOL_AUDIT_RETENTION_DAYS: '0' }, 'TOOL_AUDIT_RETENTION_DAYS'],
    ['a fractional audit retention', { TOOL_AUDIT_RETENTION_DAYS: '1.5' }, 'TOOL_AUDIT_RETENTION_DAYS'],
    ['a non-numeric audit retention', { TOOL_AUDIT_RETENTION_DAYS: 'month' }, 'TOOL_AUDIT_RETENTION_DAYS'],
    ['an audit retention over ten years', { TOOL_AUDIT_RETENTION_DAYS: '3651' }, 'TOOL_AUDIT_RETENTION_DAYS'],
  ])('refuses %s with a line naming the variable', (_name, env, variable) => {
    expect(() => loadMcpConfig(env)).toThrow(new RegExp(`^invalid MCP configuration:\\n(.*\\n)*${variable}`, 'm'));
  });
});
