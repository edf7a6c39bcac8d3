import { DEV_KEY_ENCRYPTION_SECRET, MIN_KEY_ENCRYPTION_SECRET_CHARS, previousSecretsProblems, type SecretRing } from '@omnichat/secrets';
import { z } from 'zod';

import { commaList } from './parse-env.js';

/**
 * The one secret both apps and the admin CLI open sealed rows with (signing keys, SSH keys, IdP
 * client secrets) and derive cookie and CSRF keys from; the secrets it replaced, newest first, still
 * open what was sealed under them until `pnpm admin secrets:rotate` (docs/operations.md).
 */
export const KEY_SECRET_ENV = {
  KEY_ENCRYPTION_SECRET: z
    .string()
    .min(MIN_KEY_ENCRYPTION_SECRET_CHARS, `KEY_ENCRYPTION_SECRET must be at least ${MIN_KEY_ENCRYPTION_SECRET_CHARS} characters`)
    .optional(),
  KEY_ENCRYPTION_SECRET_PREVIOUS: commaList.default([]),
};

type KeySecretEnv = { NODE_ENV: string; KEY_ENCRYPTION_SECRET?: string | undefined; KEY_ENCRYPTION_SECRET_PREVIOUS: string[] };

export function checkKeySecret(env: KeySecretEnv, ctx: z.RefinementCtx): void {
  if (env.NODE_ENV === 'production' && !env.KEY_ENCRYPTION_SECRET) {
    ctx.addIssue({ code: 'custom', path: ['KEY_ENCRYPTION_SECRET'], message: 'required when NODE_ENV=production' });
  }
  for (const message of previousSecretsProblems(env.KEY_ENCRYPTION_SECRET_PREVIOUS, env.KEY_ENCRYPTION_SECRET)) {
    ctx.addIssue({ code: 'custom', path: ['KEY_ENCRYPTION_SECRET_PREVIOUS'], message });
  }
}

export type KeySecret = {
  /** What new sealed values are sealed with. */
  keyEncryptionSecret: string;
  /** KEY_ENCRYPTION_SECRET with KEY_ENCRYPTION_SECRET_PREVIOUS: what sealed values open with. */
  keyRing: SecretRing;
  /** True when the public development secret is in use (only outside production). */
  usingDevKeySecret: boolean;
};

export function keySecret(env: KeySecretEnv): KeySecret {
  const current = env.KEY_ENCRYPTION_SECRET ?? DEV_KEY_ENCRYPTION_SECRET;
  return { keyEncryptionSecret: current, keyRing: { current, previous: env.KEY_ENCRYPTION_SECRET_PREVIOUS }, usingDevKeySecret: env.KEY_ENCRYPTION_SECRET === undefined };
}
