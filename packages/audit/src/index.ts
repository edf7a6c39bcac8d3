// @omnichat/audit: the audit trail's one line shape, written by the auth app, the admin CLI and
// the OidcPayload store (grant revocation) alike.
export { audit, type AuditEvent, type AuditActor, type AuditLogger } from './audit-log.js';
