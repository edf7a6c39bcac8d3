import { audit } from '@omnichat/audit';
import { addIdentityProvider, discoverIdp, IdpDiscoveryError, IdpExistsError, IdpSettingsError, parseIdpSettings, publicIdentityProvider, ssoRedirectUri } from '@omnichat/sso';

import { adminConfigFrom } from '../admin-config.js';
import { CommandError, EXIT, UsageError, flag, stringOption, type AdminCommand } from '../command.js';

/** A client secret is at most a few hundred characters; anything far larger is the wrong input. */
const MAX_SECRET_CHARS = 4096;

export const idpAdd: AdminCommand = {
  name: 'idp:add',
  summary: 'Connect an OpenID Connect identity provider ("Continue with <label>" on the sign-in page); secret from stdin, sealed at rest',
  usage:
    'pnpm admin idp:add --name <slug> --issuer <url> --client-id <id> --client-secret-stdin [--label "<text>"] ' +
    '[--allow-domain <domain>]... [--no-jit] [--scopes "openid email profile"] [--json]',
  options: {
    name: { type: 'string' },
    issuer: { type: 'string' },
    'client-id': { type: 'string' },
    'client-secret-stdin': { type: 'boolean' },
    label: { type: 'string' },
    'allow-domain': { type: 'string', multiple: true },
    'no-jit': { type: 'boolean' },
    scopes: { type: 'string' },
  },
  async run(args, ctx) {
    const required = (option: string): string => {
      const value = stringOption(args, option);
      if (value === undefined || value === '') throw new UsageError(`--${option} is required`);
      return value;
    };
    const slug = required('name');
    const issuer = required('issuer');
    const clientId = required('client-id');
    // Never on the command line, where `ps` and shell history show it.
    if (!flag(args, 'client-secret-stdin')) throw new UsageError('--client-secret-stdin is required: pipe the client secret in (it never goes on the command line)');
    const domains = args.values['allow-domain'];
    const config = adminConfigFrom(ctx.env);

    let settings;
    try {
      settings = parseIdpSettings({
        slug,
        issuer,
        clientId,
        label: stringOption(args, 'label'),
        allowedDomains: Array.isArray(domains) ? domains.filter((value): value is string => typeof value === 'string') : [],
        jitEnabled: !flag(args, 'no-jit'),
        scopes: stringOption(args, 'scopes'),
      }, { production: config.production });
    } catch (error) {
      if (error instanceof IdpSettingsError) throw new CommandError(error.message);
      throw error;
    }
    const clientSecret = (await ctx.stdin()).replace(/\r?\n$/, '');
    if (clientSecret === '') throw new CommandError('no client secret on standard input');
    if (clientSecret.length > MAX_SECRET_CHARS || /[\r\n]/.test(clientSecret)) throw new CommandError('the client secret on standard input must be one line');

    if (config.usingDevKeySecret) ctx.out.note('warning: KEY_ENCRYPTION_SECRET is unset; the client secret is sealed with the public development secret');

    // Discovery now, so a wrong issuer is refused here rather than on a user's first click.
    let discovered;
    try {
      discovered = await discoverIdp({ issuer: settings.issuer, clientId: settings.clientId, clientSecret, timeoutSeconds: config.ssoTimeoutSeconds });
    } catch (error) {
      if (error instanceof IdpDiscoveryError) throw new CommandError(error.message);
      throw error;
    }
    const metadata = discovered.serverMetadata();
    const missingScopes = Array.isArray(metadata.scopes_supported) ? settings.scopes.split(' ').filter((scope) => !metadata.scopes_supported!.includes(scope)) : [];
    if (missingScopes.length > 0) ctx.out.note(`warning: ${settings.issuer} does not list scope(s) ${missingScopes.join(', ')} in scopes_supported`);
    if (Array.isArray(metadata.code_challenge_methods_supported) && !metadata.code_challenge_methods_supported.includes('S256')) {
      ctx.out.note(`warning: ${settings.issuer} does not list PKCE S256; it is sent anyway`);
    }

    let row;
    try {
      // The issuer exactly as the IdP states it: ID tokens' `iss` is compared with this.
      row = await addIdentityProvider(ctx.prisma, { ...settings, issuer: metadata.issuer }, clientSecret, config.keyEncryptionSecret);
    } catch (error) {
      if (error instanceof IdpExistsError) throw new CommandError(error.message);
      throw error;
    }
    audit(ctx.log, { event: 'idp.added', provider: row.slug, issuer: row.issuer, clientId: row.clientId, allowedDomains: row.allowedDomains, jit: row.jitEnabled, by: 'admin_cli' });
    const redirectUri = ssoRedirectUri(config.issuer, row.slug);
    ctx.out.result({ ...publicIdentityProvider(row), redirectUri }, [
      `added ${row.slug}: "Continue with ${row.label}" (${row.issuer})`,
      `register this redirect URI at the identity provider: ${redirectUri}`,
      row.allowedDomains.length > 0 ? `email domains allowed: ${row.allowedDomains.join(', ')} (verified emails only)` : 'email domains allowed: any',
      row.jitEnabled ? 'new people get an account on their first sign-in' : 'no accounts are created: only existing accounts can sign in (--no-jit)',
    ]);
    return EXIT.ok;
  },
};
