import { sshUtils, type ServerHostKeyAlgorithm } from './ssh-library.js';

/** A pinned host key: its algorithm and the public key blob the server must present. */
export type PinnedHostKey = { type: string; blob: Buffer };

/** Host key types we pin; ssh2 negotiates only the pinned one (so a server with several keys cannot offer another). */
const HOST_KEY_TYPES: ReadonlySet<string> = new Set<ServerHostKeyAlgorithm>(['ssh-ed25519', 'ecdsa-sha2-nistp256', 'ecdsa-sha2-nistp384', 'ecdsa-sha2-nistp521', 'ssh-rsa']);

/**
 * Parses one OpenSSH public key line (`ssh-ed25519 AAAA... [comment]`, as in known_hosts without
 * the host field, or `ssh-keyscan` output after the host). Throws TypeError with the reason.
 */
export function parseHostKey(line: string): PinnedHostKey {
  const trimmed = line.trim();
  if (trimmed === '' || /[\r\n]/.test(trimmed)) throw new TypeError('host key must be one OpenSSH public key line');
  const parsed = sshUtils.parseKey(trimmed);
  if (parsed instanceof Error || Array.isArray(parsed)) throw new TypeError(`host key is not an OpenSSH public key (${describe(parsed)})`);
  if (parsed.isPrivateKey()) throw new TypeError('host key must be the public key, not a private key');
  if (!HOST_KEY_TYPES.has(parsed.type)) throw new TypeError(`host key type ${parsed.type} is not supported`);
  return { type: parsed.type, blob: parsed.getPublicSSH() };
}

/** The canonical stored form: type and base64 blob, comment dropped. */
export function canonicalHostKey(line: string): string {
  const key = parseHostKey(line);
  return `${key.type} ${key.blob.toString('base64')}`;
}

/** Server host key algorithms that prove possession of a key of this type (RFC 8332 for RSA). */
export function hostKeyAlgorithmsFor(type: string): ServerHostKeyAlgorithm[] {
  return type === 'ssh-rsa' ? ['rsa-sha2-512', 'rsa-sha2-256', 'ssh-rsa'] : [type as ServerHostKeyAlgorithm];
}

function describe(value: Error | unknown[]): string {
  return value instanceof Error ? value.message : 'several keys';
}
