import { randomUUID } from 'node:crypto';
import { isIP } from 'node:net';
import { compileAllowList } from './command-policy.js';
import { canonicalHostKey } from './host-key.js';
import { isHostName } from './host-name.js';
import { checkPrivateKey, sealPrivateKey } from './private-key.js';

/** What an admin gives `ssh:host:add`. */
export type SshHostInput = {
  name: string;
  address: string;
  port: number;
  username: string;
  /** OpenSSH private key text (the file's contents). */
  privateKey: string;
  /** One OpenSSH public key line. */
  hostKey: string;
  commandAllowList: readonly string[];
};

/** The row to store: validated, host key canonical, private key sealed to the row's id. */
export type SshHostRow = {
  id: string;
  name: string;
  address: string;
  port: number;
  username: string;
  hostKey: string;
  privateKeyEncrypted: string;
  commandAllowList: string[];
};

// A DNS name (IPv4 literals included); never a leading '-' (an option to some tool), an '@' (a
// user) or a ':' (a port). IPv6 literals are checked by node:net instead.
const DNS_NAME = /^[A-Za-z0-9](?:[A-Za-z0-9.-]{0,251}[A-Za-z0-9])?$/;
// POSIX portable user names (IEEE Std 1003.1, 3.437), no leading '-'.
const USERNAME = /^[A-Za-z0-9_][A-Za-z0-9_.-]{0,31}$/;

/** Validates an admin's host approval and seals its key; throws TypeError with the first problem. */
export function prepareSshHost(input: SshHostInput, keyEncryptionSecret: string): SshHostRow {
  if (!isHostName(input.name)) {
    throw new TypeError('name must be 1-63 lower-case letters, digits, "." or "-", starting and ending with a letter or digit');
  }
  if (!DNS_NAME.test(input.address) && isIP(input.address) !== 6) throw new TypeError('host must be a DNS name or an IP address (no user@, port or options)');
  if (!Number.isInteger(input.port) || input.port < 1 || input.port > 65535) throw new TypeError('port must be an integer from 1 to 65535');
  if (!USERNAME.test(input.username)) throw new TypeError('user must be a plain account name (letters, digits, _ . -, not starting with -)');
  const hostKey = canonicalHostKey(input.hostKey);
  checkPrivateKey(input.privateKey);
  compileAllowList(input.commandAllowList);
  const id = randomUUID();
  return {
    id,
    name: input.name,
    address: input.address,
    port: input.port,
    username: input.username,
    hostKey,
    privateKeyEncrypted: sealPrivateKey(input.privateKey, keyEncryptionSecret, id),
    commandAllowList: [...input.commandAllowList],
  };
}
