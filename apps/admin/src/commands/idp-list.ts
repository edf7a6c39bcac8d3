import { listIdentityProviders, ssoRedirectUri } from '@omnichat/sso';

import { adminConfigFrom } from '../admin-config.js';
import { EXIT, type AdminCommand } from '../command.js';
import { formatTable } from '../output.js';

export const idpList: AdminCommand = {
  name: 'idp:list',
  summary: 'List the identity providers with their redirect URI, domain rule and linked accounts (never the secret)',
  usage: 'pnpm admin idp:list [--json]',
  async run(_args, ctx) {
    const { issuer } = adminConfigFrom(ctx.env);
    const rows = (await listIdentityProviders(ctx.prisma)).map((row) => ({ ...row, redirectUri: ssoRedirectUri(issuer, row.slug) }));
    ctx.out.result(
      rows,
      rows.length === 0
        ? 'no identity providers; add one with pnpm admin idp:add'
        : formatTable(
            ['name', 'label', 'issuer', 'domains', 'jit', 'accounts', 'redirect uri'],
            rows.map((row) => [
              row.slug,
              row.label,
              row.issuer,
              row.allowedDomains.join(', ') || 'any',
              row.jitEnabled ? 'on' : 'off',
              `${row.linkedAccounts} (${row.soleSignInAccounts} only via it)`,
              row.redirectUri,
            ]),
          ),
    );
    return EXIT.ok;
  },
};
