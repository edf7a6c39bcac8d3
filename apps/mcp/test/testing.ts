// `@omnichat/mcp/testing`: what tests outside this app (the stack tests in test/stack/) use to run it:
// the app on a loopback port, the settings it reads (the compose-file checks compare them with
// docker-compose.yml), and the DPoP `ath` a client puts in its proofs.
export { startMcpServer, type RunningMcpServer, type StartMcpServerOptions } from './helpers/start-mcp-server.js';
export { MCP_ENV_VARS } from '../src/config.js';
export { accessTokenHash } from '../src/auth/dpop-proof.js';
