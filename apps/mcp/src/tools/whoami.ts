import { isUuid } from '@omnichat/db';
import { z } from 'zod';
import { accountProfile } from './account-emails.js';
import { defineTool, structuredOutcome, ToolError } from './tool-kit.js';

export const whoami = defineTool({
  name: 'whoami',
  title: 'Who am I',
  description: 'Shows which OmniChat account this connection uses: its stable id, email and granted scopes.',
  input: z.object({}).strict(),
  output: z.object({
    id: z.string(),
    email: z.string().nullable(),
    /** Whether the email is verified (an admin created the account, or the company IdP asserted it); null when unknown. */
    email_verified: z.boolean().nullable(),
    scopes: z.array(z.string()),
  }),
  async run(_input, context) {
    const principal = context.principal;
    if (!principal) throw new ToolError('Sign in to use this tool');
    // The email comes from the token when the authorization server includes it; otherwise from
    // the account row, cached per user (account-emails.ts) so the hot path needs no query.
    const account = isUuid(principal.subject) ? await accountProfile(context.prisma, principal.subject) : { email: null, emailVerified: null };
    const email = principal.email ?? account.email;
    const profile = { id: principal.subject, email, email_verified: account.emailVerified, scopes: [...principal.scopes] };
    return structuredOutcome(profile, `Signed in as ${email ?? principal.subject} (id ${principal.subject}); scopes: ${profile.scopes.join(' ') || 'none'}`);
  },
});
