import { openSecret, sealSecret } from '@omnichat/secrets';
import type { PrismaClient } from '@omnichat/db';
import { Secret, TOTP } from 'otpauth';
import QRCode from 'qrcode';

/** RFC 6238 defaults every authenticator app understands: SHA-1, 6 digits, 30-second steps. */
const PERIOD_SECONDS = 30;
/** ±1 step: a code from the step before or after is accepted (clock drift, typing time). */
const WINDOW = 1;
const SEAL_PURPOSE = 'totp-secret';
const CODE = /^\d{6}$/;

const totpFor = (secret: Secret, issuer: string, label: string) =>
  new TOTP({ issuer, label, secret, algorithm: 'SHA1', digits: 6, period: PERIOD_SECONDS });

export type TotpSetup = { secretBase32: string; uri: string; qrDataUri: string };

/**
 * Starts (or restarts) set-up: a fresh 160-bit secret, sealed under KEY_ENCRYPTION_SECRET and bound
 * to the user, unconfirmed until a code is given. A confirmed factor is never replaced here.
 */
export async function beginTotpSetup(prisma: PrismaClient, keySecret: string, user: { id: string; email: string }, issuerName: string): Promise<TotpSetup> {
  const existing = await prisma.totpFactor.findUnique({ where: { userId: user.id } });
  let secret: Secret;
  if (existing && !existing.confirmedAt) {
    secret = Secret.fromBase32(openSecret(existing.secretEncrypted, keySecret, SEAL_PURPOSE, user.id));
  } else {
    if (existing) throw new Error('an authenticator app is already set up');
    secret = new Secret({ size: 20 });
    await prisma.totpFactor.create({ data: { userId: user.id, secretEncrypted: sealSecret(secret.base32, keySecret, SEAL_PURPOSE, user.id) } });
  }
  const uri = totpFor(secret, issuerName, user.email).toString();
  const svg = await QRCode.toString(uri, { type: 'svg', errorCorrectionLevel: 'M', margin: 2 });
  return { secretBase32: secret.base32, uri, qrDataUri: `data:image/svg+xml;base64,${Buffer.from(svg).toString('base64')}` };
}

export type TotpVerdict = 'ok' | 'bad_code' | 'replayed';

/**
 * Checks a code against the user's factor (confirmed, or being confirmed with `pending`). A code
 * is accepted once: the step it belongs to is recorded with a conditional update, so the same code
 * (or an older one) presented again, even concurrently, is a replay (RFC 6238 §5.2).
 */
export async function verifyTotp(prisma: PrismaClient, keySecret: string, userId: string, code: string, options: { pending?: boolean; now?: Date } = {}): Promise<TotpVerdict> {
  const factor = await prisma.totpFactor.findUnique({ where: { userId } });
  if (!factor || (options.pending ? factor.confirmedAt !== null : factor.confirmedAt === null)) return 'bad_code';
  const token = code.replace(/\s+/g, '');
  if (!CODE.test(token)) return 'bad_code';
  const timestamp = (options.now ?? new Date()).getTime();
  const secret = Secret.fromBase32(openSecret(factor.secretEncrypted, keySecret, SEAL_PURPOSE, userId));
  const delta = totpFor(secret, '', '').validate({ token, timestamp, window: WINDOW });
  if (delta === null) return 'bad_code';
  const step = Math.floor(timestamp / 1000 / PERIOD_SECONDS) + delta;
  const spent = await prisma.totpFactor.updateMany({
    where: { userId, OR: [{ lastUsedStep: null }, { lastUsedStep: { lt: step } }] },
    data: { lastUsedStep: step, ...(options.pending ? { confirmedAt: new Date(timestamp) } : {}) },
  });
  return spent.count === 1 ? 'ok' : 'replayed';
}
