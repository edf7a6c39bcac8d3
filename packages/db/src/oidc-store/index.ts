// @omnichat/db/oidc-store: the one owner of the OidcPayload rows outside oidc-provider's adapter.
// The auth app (its adapter, account page, refresh rotation, client pruning), the MCP server's
// grant check and the admin CLI read and revoke through here: the model names, what "live" means,
// and grant revocation with its audit line are written once.
export { OIDC_MODEL, CLIENT_USE_MODELS, liveAt, revokedWithModel } from './models.js';
export {
  accountGrants,
  liveGrantIds,
  markGrantUsed,
  revokeGrants,
  auditGrantRevoked,
  type GrantPayload,
  type GrantSelection,
  type Revoker,
} from './grants.js';
export { listClients, deleteClient, markClientUsed, pruneUnusedClients, type ClientSummary, type PrunedClient } from './clients.js';
export { endSessions, sweepExpired } from './sessions.js';
export { refreshReplays, type RefreshReplay } from './refresh-replays.js';
