/**
 * The audit trail: security-relevant events as structured log lines (`audit: true`, `event`), on the
 * app's pino logger so they share its request id and sink. The event shapes are closed: no field
 * can carry a password, token, code, client secret or cookie, so a call site cannot leak one by
 * passing "the whole object" (OWASP Logging Cheat Sheet: never log session ids, tokens, passwords).
 */
export type AuditEvent =
  | { event: 'sign_in.succeeded'; accountId: string; clientId?: string | undefined }
  | { event: 'sign_in.failed'; reason: 'bad_credentials' | 'rate_limited'; clientId?: string | undefined }
  | { event: 'consent.granted'; accountId: string; clientId: string; grantId: string; scopes: string[] }
  | { event: 'consent.denied'; accountId?: string | undefined; clientId: string }
  | { event: 'client.registered'; clientId: string; clientName?: string | undefined; redirectUris: string[] }
  | { event: 'client.deleted'; clientId: string; by: AuditActor }
  | { event: 'user.deleted'; accountId: string; wasAdmin: boolean; grantsRevoked: number; sessionsEnded: number; by: AuditActor }
  | { event: 'database.backed_up'; file: string; schemaMigration: string; bytes: number; by: AuditActor }
  | { event: 'database.restored'; database: string; schemaMigration: string; backupCreatedAt: string; replacedRelations: number; migrationsApplied: number; by: AuditActor }
  | { event: 'grant.revoked'; grantId: string; clientId?: string | undefined; accountId?: string | undefined; by: AuditActor }
  | { event: 'key.rotated'; currentKid: string; retiredKid?: string | undefined; nextKid: string; by: AuditActor }
  | { event: 'key.deleted'; kid: string; by: AuditActor }
  | { event: 'key.revoked'; kid: string; wasState: string; currentKid: string; nextKid: string; by: AuditActor }
  | { event: 'secrets.resealed'; signingKeys: string[]; sshHosts: string[]; previousSecrets: number; by: AuditActor }
  | { event: 'user.created'; accountId: string; isAdmin: boolean; emailVerified: boolean; by: AuditActor }
  | { event: 'user.disabled' | 'user.enabled' | 'user.password_reset' | 'user.password_changed'; accountId: string; by: AuditActor }
  | { event: 'idp.added'; provider: string; issuer: string; clientId: string; allowedDomains: string[]; jit: boolean; by: AuditActor }
  | { event: 'idp.removed'; provider: string; unlinkedAccounts: number; strandedAccounts: number; forced: boolean; by: AuditActor }
  | { event: 'sso.sign_in.succeeded'; provider: string; accountId: string; outcome: 'returning' | 'linked' | 'created'; clientId?: string | undefined }
  | { event: 'sso.sign_in.failed'; provider: string; reason: string; clientId?: string | undefined }
  | { event: 'user.reset_link_issued'; accountId: string; expiresAt: string; by: AuditActor }
  | { event: 'mfa.factor_added' | 'mfa.factor_removed'; accountId: string; factor: MfaFactor; by: AuditActor }
  | { event: 'mfa.factor_used'; accountId: string; factor: MfaFactor; clientId?: string | undefined }
  | { event: 'mfa.factor_failed'; accountId?: string | undefined; factor: MfaFactor; reason: 'bad_code' | 'replayed' | 'rate_limited' | 'bad_assertion' | 'unknown_credential' }
  | { event: 'mfa.reset'; accountId: string; totp: boolean; passkeys: number; recoveryCodes: number; by: AuditActor }
  | { event: 'ssh.host_added'; host: string; address: string; port: number; username: string; hostKey: string; commandAllowList: string[]; by: AuditActor }
  | { event: 'ssh.host_removed'; host: string; grantsRemoved: number; by: AuditActor }
  | { event: 'ssh.granted' | 'ssh.revoked'; host: string; accountId: string; by: AuditActor };

/** A second factor (or a passkey, which is both). */
export type MfaFactor = 'totp' | 'recovery_code' | 'passkey';

/**
 * Who caused it: the admin CLI, the automatic key schedule, the user, a client's own request, or a
 * first sign-in through an identity provider (an account created just in time).
 */
export type AuditActor = 'admin_cli' | 'schedule' | 'user' | 'client' | 'sso';

export type AuditLogger = { info(object: object, message: string): void };

export function audit(logger: AuditLogger, entry: AuditEvent): void {
  logger.info({ audit: true, ...entry }, `audit ${entry.event}`);
}
