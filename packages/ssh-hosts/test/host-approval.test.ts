import ssh2 from 'ssh2';
import { describe, expect, it } from 'vitest';

import { canonicalHostKey, commandAllowed, commandProblem, compileAllowList, hostKeyAlgorithmsFor, isHostName, openPrivateKey, parseHostKey, prepareSshHost } from '../src/index.js';

const SECRET = 'policy-test-key-encryption-secret-0123456789';

function generateEd25519(): { private: string; public: string } {
  const pair = ssh2.utils.generateKeyPairSync('ed25519');
  return { private: pair.private, public: pair.public.trim() };
}

describe('host names (RS-28)', () => {
  it.each(['build-box', 'a', 'db1', 'web.internal', 'x-1.y-2'])('accepts %j', (name) => {
    expect(isHostName(name)).toBe(true);
  });
  it.each(['', 'Build-Box', 'build-box.', '.build', '-build', 'build-', 'a..b', 'a b', 'a_b', 'user@host', 'host:22', '[::1]', 'ｂuild', 'a'.repeat(64), 'x\n'])(
    'RS-28: refuses %j',
    (name) => {
      expect(isHostName(name)).toBe(false);
    },
  );
});

describe('pinned host keys', () => {
  const { public: line } = generateEd25519();

  it('parses an OpenSSH line, dropping the comment from the stored form', () => {
    expect(parseHostKey(`${line} root@box`).type).toBe('ssh-ed25519');
    expect(canonicalHostKey(`  ${line} root@box \n`)).toBe(line);
    expect(hostKeyAlgorithmsFor('ssh-ed25519')).toEqual(['ssh-ed25519']);
    expect(hostKeyAlgorithmsFor('ssh-rsa')).toEqual(['rsa-sha2-512', 'rsa-sha2-256', 'ssh-rsa']);
  });

  it.each([
    ['empty', ''],
    ['two lines', `${line}\n${line}`],
    ['garbage', 'ssh-ed25519 AAAA'],
    ['a private key', generateEd25519().private],
    ['a known_hosts line with the host field', `build-box ${line}`],
  ])('refuses %s', (_label, value) => {
    expect(() => parseHostKey(value)).toThrow(TypeError);
  });
});

describe('command allow-list: full match', () => {
  it.each([
    [[], 'anything at all; rm -rf /', true],
    [['uptime'], 'uptime', true],
    [['uptime'], 'uptime; id', false],
    [['uptime'], 'xuptime', false],
    [['uptime|df -h'], 'df -h', true],
    [['uptime|df -h'], 'uptime && id', false],
    [['systemctl status [a-z-]+'], 'systemctl status nginx', true],
    [['systemctl status [a-z-]+'], 'systemctl status nginx\nid', false],
    [['ls .*'], 'ls -la /\nrm -rf /', false],
    [['a', 'b'], 'b', true],
  ])('patterns %j with %j → %s', (patterns, command, allowed) => {
    expect(commandAllowed(command, patterns)).toBe(allowed);
  });

  it.each([['('], [''], ['x'.repeat(501)], ['[z-a]']])('refuses the pattern %j', (pattern) => {
    expect(() => compileAllowList([pattern])).toThrow(TypeError);
  });

  it.each([
    ['', 'command is empty'],
    ['   ', 'command is empty'],
    ['x'.repeat(4097), 'command is longer than 4096 characters'],
    ['id\u0000', 'command contains a NUL character'],
    ['uptime', null],
    ['echo a\necho b', null],
  ])('commandProblem(%j) = %j', (command, problem) => {
    expect(commandProblem(command)).toBe(problem);
  });
});

describe('host approval', () => {
  const key = generateEd25519();
  const base = { name: 'build-box', address: '10.0.0.5', port: 22, username: 'deploy', privateKey: key.private, hostKey: generateEd25519().public, commandAllowList: [] };

  it.each(['10.0.0.5', 'build.internal', 'fd00::5', '::1'])('accepts the address %j', (address) => {
    expect(prepareSshHost({ ...base, address }, SECRET).address).toBe(address);
  });

  it.each(['root@10.0.0.5', '10.0.0.5:22', '[::1]', '-oProxyCommand=x', 'a b', '', 'host/x'])('refuses the address %j', (address) => {
    expect(() => prepareSshHost({ ...base, address }, SECRET)).toThrow(/host must be a DNS name or an IP address/);
  });

  it('seals the private key to the row id under the ssh-private-key purpose', () => {
    const row = prepareSshHost(base, SECRET);
    expect(openPrivateKey(row.privateKeyEncrypted, SECRET, row.id)).toBe(key.private);
    expect(() => openPrivateKey(row.privateKeyEncrypted, SECRET, '00000000-0000-4000-8000-000000000000')).toThrow();
  });
});
