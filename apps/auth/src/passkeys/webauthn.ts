import { randomBytes } from 'node:crypto';

import type { PrismaClient } from '@omnichat/db';
import {
  generateAuthenticationOptions,
  generateRegistrationOptions,
  verifyAuthenticationResponse,
  verifyRegistrationResponse,
  type AuthenticationResponseJSON,
  type AuthenticatorTransport,
  type RegistrationResponseJSON,
} from '@simplewebauthn/server';

/** How long a page's challenge stays usable (a user looking for their security key). */
const CHALLENGE_TTL_MS = 5 * 60_000;
const TIMEOUT_MS = 120_000;
const MAX_NAME = 60;

/** RP ID and origin come from ISSUER, never from a request header (WebAuthn §5.1.4 and §7.1). */
export type RelyingParty = { id: string; origin: string; name: string };

export function relyingParty(issuer: string, name: string): RelyingParty {
  const url = new URL(issuer);
  return { id: url.hostname, origin: url.origin, name };
}

async function storeChallenge(prisma: PrismaClient, challenge: string, userId: string | null): Promise<string> {
  const id = randomBytes(18).toString('base64url');
  await prisma.webAuthnChallenge.create({ data: { id, challenge, userId, expiresAt: new Date(Date.now() + CHALLENGE_TTL_MS) } });
  return id;
}

/** Spends a challenge: deleted whatever the outcome, so an assertion is never verified twice against it. */
async function takeChallenge(prisma: PrismaClient, id: unknown): Promise<{ challenge: string; userId: string | null } | undefined> {
  if (typeof id !== 'string' || id.length > 64) return undefined;
  const rows = await prisma.webAuthnChallenge.findMany({ where: { id } });
  const taken = await prisma.webAuthnChallenge.deleteMany({ where: { id } });
  const row = rows[0];
  return taken.count === 1 && row && row.expiresAt > new Date() ? { challenge: row.challenge, userId: row.userId } : undefined;
}

const parseJson = <T>(text: unknown): T | undefined => {
  if (typeof text !== 'string' || text.length > 16_384) return undefined;
  try {
    const value = JSON.parse(text) as unknown;
    return value && typeof value === 'object' ? (value as T) : undefined;
  } catch {
    return undefined;
  }
};

/** Options for `Add a passkey`: user verification required, resident key preferred, no duplicates. */
export async function registrationOptions(prisma: PrismaClient, rp: RelyingParty, user: { id: string; email: string }) {
  const existing = await prisma.passkey.findMany({ where: { userId: user.id }, select: { credentialId: true, transports: true } });
  const options = await generateRegistrationOptions({
    rpName: rp.name,
    rpID: rp.id,
    userName: user.email,
    userDisplayName: user.email,
    userID: new TextEncoder().encode(user.id),
    attestationType: 'none',
    timeout: TIMEOUT_MS,
    excludeCredentials: existing.map((p) => ({ id: p.credentialId, transports: p.transports as AuthenticatorTransport[] })),
    authenticatorSelection: { residentKey: 'preferred', userVerification: 'required' },
  });
  return { challengeId: await storeChallenge(prisma, options.challenge, user.id), options };
}

/** Verifies `Add a passkey` and stores the credential; undefined when it does not verify. */
export async function registerPasskey(prisma: PrismaClient, rp: RelyingParty, userId: string, form: { challenge_id?: string | undefined; credential?: string | undefined; name?: string | undefined }) {
  const challenge = await takeChallenge(prisma, form.challenge_id);
  const response = parseJson<RegistrationResponseJSON>(form.credential);
  if (!challenge || challenge.userId !== userId || !response) return undefined;
  const verified = await verifyRegistrationResponse({
    response,
    expectedChallenge: challenge.challenge,
    expectedOrigin: rp.origin,
    expectedRPID: rp.id,
    requireUserVerification: true,
  }).catch(() => undefined);
  if (!verified?.verified) return undefined;
  const { credential } = verified.registrationInfo;
  if (await prisma.passkey.findUnique({ where: { credentialId: credential.id } })) return undefined;
  const count = await prisma.passkey.count({ where: { userId } });
  const name = (form.name ?? '').trim().slice(0, MAX_NAME) || `Passkey ${count + 1}`;
  return prisma.passkey.create({
    data: { userId, credentialId: credential.id, publicKey: Buffer.from(credential.publicKey), counter: BigInt(credential.counter), transports: credential.transports ?? [], name },
  });
}

/**
 * Options for signing in with a passkey. Without `userId`: discoverable credentials (the sign-in
 * page, no email typed). With it: that user's passkeys only (the second step after a password).
 */
export async function authenticationOptions(prisma: PrismaClient, rp: RelyingParty, userId?: string) {
  const allow = userId ? await prisma.passkey.findMany({ where: { userId }, select: { credentialId: true, transports: true } }) : [];
  const options = await generateAuthenticationOptions({
    rpID: rp.id,
    userVerification: 'required',
    timeout: TIMEOUT_MS,
    allowCredentials: allow.map((p) => ({ id: p.credentialId, transports: p.transports as AuthenticatorTransport[] })),
  });
  return { challengeId: await storeChallenge(prisma, options.challenge, userId ?? null), options };
}

export type PasskeyVerdict = { ok: true; userId: string; passkeyId: string } | { ok: false; reason: 'bad_assertion' | 'unknown_credential'; userId?: string | undefined };

/**
 * Verifies a passkey assertion: our challenge (once), our origin and RP ID, user verification,
 * the signature against the stored key, and a counter that moved forward (when it counts); then
 * records the counter and the last use. `expectUserId` restricts it to one user's passkeys.
 */
export async function verifyPasskey(prisma: PrismaClient, rp: RelyingParty, form: { challenge_id?: string | undefined; credential?: string | undefined }, expectUserId?: string): Promise<PasskeyVerdict> {
  const challenge = await takeChallenge(prisma, form.challenge_id);
  const response = parseJson<AuthenticationResponseJSON>(form.credential);
  if (!challenge || !response || typeof response.id !== 'string' || (challenge.userId ?? undefined) !== expectUserId) return { ok: false, reason: 'bad_assertion' };
  const passkey = await prisma.passkey.findUnique({ where: { credentialId: response.id }, include: { user: true } });
  if (!passkey || passkey.user.disabledAt || (expectUserId && passkey.userId !== expectUserId)) return { ok: false, reason: 'unknown_credential', userId: expectUserId };
  const verified = await verifyAuthenticationResponse({
    response,
    expectedChallenge: challenge.challenge,
    expectedOrigin: rp.origin,
    expectedRPID: rp.id,
    requireUserVerification: true,
    credential: { id: passkey.credentialId, publicKey: new Uint8Array(passkey.publicKey), counter: Number(passkey.counter), transports: passkey.transports as AuthenticatorTransport[] },
  }).catch(() => undefined);
  if (!verified?.verified) return { ok: false, reason: 'bad_assertion', userId: passkey.userId };
  await prisma.passkey.update({ where: { id: passkey.id }, data: { counter: BigInt(verified.authenticationInfo.newCounter), lastUsedAt: new Date() } });
  return { ok: true, userId: passkey.userId, passkeyId: passkey.id };
}
