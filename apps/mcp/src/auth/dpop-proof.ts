import { createHash } from 'node:crypto';
import { calculateJwkThumbprint, EmbeddedJWK, errors as joseErrors, jwtVerify, type JWK } from 'jose';
import { InvalidDpopProofError } from './errors.js';

/**
 * Proof algorithms we accept (RFC 9449 §7.1 `algs`). Asymmetric only: a proof proves possession of
 * the private half of the key the token is bound to. A superset of oidc-provider's default
 * `dpop_signing_alg_values_supported` (ES256, Ed25519, EdDSA), so any key the AS binds works here.
 */
export const DPOP_ALGORITHMS = ['ES256', 'ES384', 'PS256', 'RS256', 'EdDSA', 'Ed25519'] as const;
/** How far a proof's `iat` may sit from our clock, either way (RFC 9449 §11.1: "a few seconds to minutes"). */
export const DPOP_IAT_WINDOW_SECONDS = 60;
/** A proof is a few hundred bytes; an embedded RSA key a few more. Capped before parsing. */
export const MAX_DPOP_PROOF_LENGTH = 8192;
const MAX_JTI_LENGTH = 256;

export type DpopProofInput = {
  /** The raw `DPoP` request header (Node joins repeated headers with ", "). */
  proof: string | string[] | undefined;
  method: string;
  /** RESOURCE_URL: the only `htu` we answer to (never derived from Host headers). */
  resourceUrl: string;
  accessToken: string;
  /** The token's `cnf.jkt`. */
  boundThumbprint: string;
  /** Milliseconds since the epoch. */
  now: number;
};

/** What the replay check needs from a valid proof. */
export type VerifiedDpopProof = { jti: string; thumbprint: string };

/**
 * Checks a DPoP proof for a request to this resource (RFC 9449 §4.3, §7.1): one `DPoP` header,
 * `typ: dpop+jwt`, an allow-listed asymmetric `alg`, a public embedded `jwk` (jose refuses private
 * ones) that verifies the signature, `htm`/`htu` naming this request, a fresh `iat`, `ath` hashing
 * this access token, and the key's RFC 7638 thumbprint equal to the token's `cnf.jkt`. `jti`
 * uniqueness is the replay store's job (dpop-replay.ts). Throws InvalidDpopProofError.
 */
export async function verifyDpopProof(input: DpopProofInput): Promise<VerifiedDpopProof> {
  const { proof } = input;
  if (proof === undefined || proof === '') throw new InvalidDpopProofError('missing');
  if (typeof proof !== 'string' || proof.includes(',')) throw new InvalidDpopProofError('multiple');
  if (proof.length > MAX_DPOP_PROOF_LENGTH) throw new InvalidDpopProofError('too_long');

  let verified;
  try {
    verified = await jwtVerify(proof, EmbeddedJWK, {
      typ: 'dpop+jwt',
      algorithms: [...DPOP_ALGORITHMS],
      requiredClaims: ['jti', 'htm', 'htu', 'iat', 'ath'],
    });
  } catch (error) {
    throw new InvalidDpopProofError(reasonFor(error), { cause: error });
  }
  const { payload, protectedHeader } = verified;
  const { jti, htm, htu, iat, ath } = payload as Record<string, unknown>;

  if (typeof jti !== 'string' || jti === '' || jti.length > MAX_JTI_LENGTH) throw new InvalidDpopProofError('bad_jti');
  if (htm !== input.method) throw new InvalidDpopProofError('htm_mismatch');
  if (typeof htu !== 'string' || !sameTargetUri(htu, input.resourceUrl)) throw new InvalidDpopProofError('htu_mismatch');
  if (typeof iat !== 'number' || Math.abs(input.now / 1000 - iat) > DPOP_IAT_WINDOW_SECONDS) {
    throw new InvalidDpopProofError('iat_out_of_window');
  }
  if (ath !== accessTokenHash(input.accessToken)) throw new InvalidDpopProofError('ath_mismatch');
  const thumbprint = await calculateJwkThumbprint(protectedHeader.jwk as JWK, 'sha256');
  if (thumbprint !== input.boundThumbprint) throw new InvalidDpopProofError('jkt_mismatch');
  return { jti, thumbprint };
}

/** RFC 9449 §4.2 `ath`: base64url of the SHA-256 of the access token's ASCII bytes. */
export function accessTokenHash(accessToken: string): string {
  return createHash('sha256').update(accessToken, 'ascii').digest('base64url');
}

/**
 * RFC 9449 §4.3 step 9: `htu` matches the target URI ignoring query and fragment, after RFC 3986
 * §6.2.2/§6.2.3 normalisation (WHATWG URL parsing lowercases scheme and host, drops a default
 * port, resolves dot segments). RESOURCE_URL is canonical already (config.ts).
 */
function sameTargetUri(htu: string, resourceUrl: string): boolean {
  const url = URL.parse(htu);
  if (url === null) return false;
  url.search = '';
  url.hash = '';
  return url.href === resourceUrl;
}

function reasonFor(error: unknown): InvalidDpopProofError['reason'] {
  if (error instanceof joseErrors.JOSEAlgNotAllowed || error instanceof joseErrors.JOSENotSupported) return 'alg_not_allowed';
  if (error instanceof joseErrors.JWSSignatureVerificationFailed) return 'bad_signature';
  if (error instanceof joseErrors.JWTClaimValidationFailed) return error.claim === 'typ' ? 'typ_mismatch' : 'missing_claim';
  return 'malformed';
}
