// What the apps' tests and the stack tests share: helpers that talk to a server over HTTP, or to the
// machine, and know no app. A test of one app imports its own app, packages and this; only the stack
// tests (test/stack/) start several apps, through each app's `@omnichat/<app>/testing` entry.
export { freePort } from './free-port.js';
export { REPO_ROOT } from './repo-root.js';
export { TestBrowser, csrfFrom, formActions, selfSubmittingForm, type PageResult } from './test-browser.js';
export {
  CHATGPT_REDIRECT_URI,
  authorizeInBrowser,
  obtainTokens,
  registerClient,
  type Decision,
  type ObtainedTokens,
} from './oauth-flow.js';
export { RU, authz, codeFor, pkce, publicClient, register, token, tokensFor, type Json, type Pkce } from './oauth-requests.js';
export { PROTOCOL_VERSION, callTool, initializeMessage, postMcp, rpc, type RawReply } from './mcp-http.js';
