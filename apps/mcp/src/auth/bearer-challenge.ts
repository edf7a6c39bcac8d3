/**
 * Formats an RFC 6750 §3 `Bearer` challenge. Pure.
 *
 * Values are RFC 9110 §5.6.4 quoted-strings: `"` and `\` are backslash-escaped. RFC 6750 §3 further
 * limits `error_description` (and `scope`) to %x20-21 / %x23-5B / %x5D-7E, so anything else
 * (CR, LF, other controls, non-ASCII) is replaced by a space before quoting: a message that
 * reaches a header can never split it or smuggle a second parameter.
 */
export type ChallengeParams = ReadonlyArray<readonly [name: string, value: string]>;

const AUTH_PARAM_NAME = /^[A-Za-z0-9!#$%&'*+.^_`|~-]+$/;

export function quoteChallengeValue(value: string): string {
  const printable = value.replace(/[^\x20-\x7e]/g, ' ');
  return `"${printable.replace(/["\\]/g, (char) => `\\${char}`)}"`;
}

export function formatBearerChallenge(params: ChallengeParams): string {
  if (params.length === 0) return 'Bearer';
  const parts = params.map(([name, value]) => {
    if (!AUTH_PARAM_NAME.test(name)) throw new TypeError(`invalid auth-param name: ${name}`);
    return `${name}=${quoteChallengeValue(value)}`;
  });
  return `Bearer ${parts.join(', ')}`;
}
