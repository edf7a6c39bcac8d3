import { isUuid } from '@omnichat/db';
import { z } from 'zod';
import { accountEmail } from './account-emails.js';
import { defineTool, structuredOutcome, ToolError } from './tool-kit.js';

export const whoami = defineTool({
  name: 'whoami',
  title: 'Who am I',
  description: 'Shows which OmniChat account this connection uses: its stable id, email and granted scopes.',
  input: z.object({}).strict(),
  output: z.object({
    id: z.string(),
    email: z.string().nullable(),
    scopes: z.array(z.string()),
  }),
  async run(_input, context) {
    const principal = context.principal;
    if (!principal) throw new ToolError('Sign in to use this tool');
    // The email comes from the token when the authorization server includes it; otherwise from
    // the account row, cached per user (account-emails.ts) so the hot path needs no query.
    let email = principal.email ?? null;
    if (email === null && isUuid(principal.subject)) {
      email = await accountEmail(context.prisma, principal.subject);
    }
    const profile = { id: principal.subject, email, scopes: [...principal.scopes] };
    return structuredOutcome(profile, `Signed in as ${email ?? principal.subject} (id ${principal.subject}); scopes: ${profile.scopes.join(' ') || 'none'}`);
  },
});
