export { buildMcpApp, type McpDeps } from './app.js';
export { loadMcpConfig, type McpConfig } from './config.js';
export { createResilientRemoteJwks } from './auth/resilient-jwks.js';
export { createAccessTokenVerifier, type AccessTokenVerifier } from './auth/verify-access-token.js';
export { resourceMetadataUrl } from './http/protected-resource-metadata.js';
export { TOOL_REGISTRY } from './tools/registry.js';
