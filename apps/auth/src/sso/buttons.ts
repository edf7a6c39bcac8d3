import type { PrismaClient } from '@omnichat/db';

import type { SsoButton } from '../views/sso.js';
import { signInProviders } from './providers.js';

/** The "Continue with <IdP>" buttons of an interaction's sign-in page. */
export async function interactionSsoButtons(prisma: PrismaClient, uid: string): Promise<SsoButton[]> {
  return (await signInProviders(prisma)).map((idp) => ({ label: idp.label, action: `/interaction/${uid}/sso/${idp.slug}` }));
}

/** The same buttons on /account's sign-in form. */
export async function accountSsoButtons(prisma: PrismaClient): Promise<SsoButton[]> {
  return (await signInProviders(prisma)).map((idp) => ({ label: idp.label, action: `/account/sso/${idp.slug}` }));
}
