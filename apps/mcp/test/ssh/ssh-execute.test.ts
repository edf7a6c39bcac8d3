import { createServer, type Server as NetServer, type Socket } from 'node:net';
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { randomUUID } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { sampleValue } from '@omnichat/metrics/testing';
import { sealSecret } from '@omnichat/secrets';
import { auditRows, startSshBed, type SshBed } from './helpers/ssh-bed.js';
import { generateEd25519, processExists, startTestSshServer, type KeyPair, type TestSshServer } from './helpers/ssh-test-server.js';
import { freePort, postMcp, rpc } from '@omnichat/testkit';

const RUN_TIMEOUT_MS = 1500;
const OUTPUT_CAP_BYTES = 4096;
const CONNECT_TIMEOUT_MS = 1000;

describe('ssh_execute against a real SSH server on loopback', () => {
  let bed: SshBed;
  let remote: TestSshServer;
  let clientKey: KeyPair;
  let alice: string;
  let bob: string;
  let aliceToken: string;
  let buildBox: string;

  beforeAll(async () => {
    bed = await startSshBed({
      SSH_RUN_TIMEOUT_MS: String(RUN_TIMEOUT_MS),
      SSH_OUTPUT_CAP_BYTES: String(OUTPUT_CAP_BYTES),
      SSH_CONNECT_TIMEOUT_MS: String(CONNECT_TIMEOUT_MS),
      SSH_MAX_CONCURRENT_PER_USER: '2',
      // Mixed mode: the scope refusals below are tool results (the ChatGPT shape), tools/list anonymous.
      MCP_REQUIRE_AUTH: 'false',
    });
    clientKey = generateEd25519();
    remote = await startTestSshServer({ username: 'deploy', authorizedKey: clientKey.public });
    buildBox = await bed.approveHost({ name: 'build-box', port: remote.port, privateKey: clientKey.private, hostKey: remote.hostKey.public });
    alice = await bed.createUser();
    bob = await bed.createUser();
    await bed.grant(alice, buildBox);
    aliceToken = await bed.token(alice, 'ssh:execute', 'chatgpt-client');
  });
  afterAll(async () => {
    await bed?.close();
    await remote?.close();
  });

  async function lastAudit() {
    return (await auditRows(bed.prisma)).at(-1);
  }

  it('runs a command and returns stdout, stderr and the exit code; audits it without output or keys', async () => {
    const result = await bed.call('ssh_execute', { host: 'build-box', command: "printf '%s-%s' out put; echo problem >&2; exit 3" }, aliceToken);
    expect(result.isError).toBeUndefined();
    expect(result.structuredContent).toMatchObject({
      host: 'build-box',
      exitCode: 3,
      signal: null,
      stdout: 'out-put',
      stderr: 'problem\n',
      stdoutTruncated: false,
      stderrTruncated: false,
    });
    expect(result.content[0]?.text).toContain('build-box: exit code 3');

    const row = await lastAudit();
    expect(row).toMatchObject({
      userId: alice,
      clientId: 'chatgpt-client',
      hostName: 'build-box',
      command: "printf '%s-%s' out put; echo problem >&2; exit 3",
      outcome: 'ok',
      exitCode: 3,
      bytesOut: 'out-put'.length + 'problem\n'.length,
      truncated: false,
    });
    expect(row?.durationMs).toBeGreaterThanOrEqual(0);

    const audit = bed.logLines.filter((line) => line['event'] === 'ssh.execute');
    expect(audit.at(-1)).toMatchObject({ audit: true, accountId: alice, host: 'build-box', outcome: 'ok', exitCode: 3 });
    const everything = JSON.stringify(bed.logLines);
    expect(everything).not.toContain('out-put');
    expect(everything).not.toContain('PRIVATE KEY');
    expect(everything).not.toContain(clientKey.private.split('\n')[1]);
  });

  it('the tool-call audit keeps its opted-in argument, the command, and nothing else: not the host, not the output', async () => {
    const marker = randomUUID();
    const result = await bed.call('ssh_execute', { host: 'build-box', command: `echo out-${marker}` }, aliceToken);
    expect(result.structuredContent).toMatchObject({ stdout: `out-${marker}\n` });
    // The writer flushes once a second; wait for this call's row.
    const deadline = Date.now() + 5_000;
    let rows = await bed.prisma.toolCall.findMany({ where: { userId: alice, tool: 'ssh_execute' } });
    while (!rows.some((row) => JSON.stringify(row.arguments).includes(marker)) && Date.now() < deadline) {
      await new Promise((resolve) => setTimeout(resolve, 50));
      rows = await bed.prisma.toolCall.findMany({ where: { userId: alice, tool: 'ssh_execute' } });
    }
    const row = rows.find((candidate) => JSON.stringify(candidate.arguments).includes(marker));
    expect(row).toMatchObject({ clientId: 'chatgpt-client', scopes: ['ssh:execute'], decision: 'allowed', outcome: 'ok', arguments: { command: `echo out-${marker}` } });
    // The only trace of the marker is the command: the output (out-<marker> without "echo ") is nowhere.
    const stored = (await bed.prisma.$queryRaw<Array<{ row: string }>>`SELECT row_to_json(t)::text AS row FROM "ToolCall" t`).map((r) => r.row).join('\n');
    expect(stored.split(`echo out-${marker}`).join('')).not.toContain(marker);
    expect(Object.keys(row!.arguments as object)).toEqual(['command']);
  });

  it('the private key is stored sealed, never in clear', async () => {
    const host = await bed.prisma.sshHost.findUniqueOrThrow({ where: { name: 'build-box' } });
    expect(host.privateKeyEncrypted).not.toContain('PRIVATE KEY');
    // The versioned sealed format: v1, the sealing secret's id, iv, ciphertext+tag.
    expect(host.privateKeyEncrypted).toMatch(/^v1\.[\w-]+\.[\w-]+\.[\w-]+$/);
    expect(host.hostKey).toBe(remote.hostKey.public);
  });

  it('ssh_hosts lists only the hosts granted to the caller', async () => {
    const mine = await bed.call('ssh_hosts', {}, aliceToken);
    expect(mine.structuredContent).toEqual({ hosts: [{ name: 'build-box', user: 'deploy', commandAllowList: [] }] });
    const none = await bed.call('ssh_hosts', {}, await bed.token(bob, 'ssh:execute'));
    expect(none.structuredContent).toEqual({ hosts: [] });
  });

  it('RS-31: a command running past the run timeout is killed on the remote side and reported as a timeout', async () => {
    const before = remote.processes.length;
    const started = Date.now();
    const result = await bed.call('ssh_execute', { host: 'build-box', command: 'sleep 60' }, aliceToken);
    expect(result.isError).toBe(true);
    expect(result.content[0]?.text).toBe('The command ran longer than 1500 ms on host "build-box" and was killed.');
    expect(Date.now() - started).toBeLessThan(RUN_TIMEOUT_MS + 4000);

    const sleeper = remote.processes[before];
    expect(sleeper?.command).toBe('sleep 60');
    expect((await sleeper!.exited).signal).toBe('SIGKILL');
    expect(processExists(sleeper!.pid)).toBe(false);
    expect(await lastAudit()).toMatchObject({ outcome: 'timeout', command: 'sleep 60', exitCode: null });
  });

  it('RS-30: a flood of output is capped with a marker, the remote command stopped, and the audit says truncated', async () => {
    const before = remote.processes.length;
    const result = await bed.call('ssh_execute', { host: 'build-box', command: 'yes' }, aliceToken);
    expect(result.isError).toBeUndefined();
    const stdout: string = result.structuredContent.stdout;
    expect(result.structuredContent.stdoutTruncated).toBe(true);
    expect(stdout.endsWith(`\n[output truncated at ${OUTPUT_CAP_BYTES} bytes]`)).toBe(true);
    expect(Buffer.byteLength(stdout)).toBeLessThanOrEqual(OUTPUT_CAP_BYTES + 64);
    expect(stdout.startsWith('y\ny\n')).toBe(true);
    expect(result.content[0]?.text).toContain(`stopped after more than ${OUTPUT_CAP_BYTES} bytes of output`);

    const yes = remote.processes[before];
    expect((await yes!.exited).signal).toBe('SIGKILL');
    const row = await lastAudit();
    expect(row).toMatchObject({ outcome: 'output_cap', truncated: true });
    expect(row!.bytesOut).toBeGreaterThan(OUTPUT_CAP_BYTES);
  });

  it('RS-30: stderr has its own cap', async () => {
    const result = await bed.call('ssh_execute', { host: 'build-box', command: `head -c ${OUTPUT_CAP_BYTES * 3} /dev/zero | tr '\\0' e >&2; echo fine` }, aliceToken);
    expect(result.structuredContent.stderrTruncated).toBe(true);
    expect(result.structuredContent.stderr).toMatch(new RegExp(`^e{${OUTPUT_CAP_BYTES}}\\n\\[output truncated at ${OUTPUT_CAP_BYTES} bytes\\]$`));
  });

  it('RS-31: calls above the per-user concurrency cap are refused while two run', async () => {
    const before = remote.processes.length;
    const refusals = async () => sampleValue(await bed.metrics.registry.metrics(), 'omnichat_rate_limited_total', { limit: 'ssh-concurrency' }) ?? 0;
    const refusedBefore = await refusals();
    const first = bed.call('ssh_execute', { host: 'build-box', command: 'sleep 30' }, aliceToken);
    const second = bed.call('ssh_execute', { host: 'build-box', command: 'sleep 30' }, aliceToken);
    await remote.execCount(before + 2);
    const third = await bed.call('ssh_execute', { host: 'build-box', command: 'echo third' }, aliceToken);
    expect(third.isError).toBe(true);
    expect(third.content[0]?.text).toBe('Refused: you already have 2 SSH commands running; wait for one to finish.');
    expect(await lastAudit()).toMatchObject({ outcome: 'busy', command: 'echo third' });
    expect(await refusals()).toBe(refusedBefore + 1);
    expect(remote.processes.length).toBe(before + 2);
    expect((await first).isError).toBe(true);
    expect((await second).isError).toBe(true);
    // Slots come back: the next call runs.
    const after = await bed.call('ssh_execute', { host: 'build-box', command: 'echo again' }, aliceToken);
    expect(after.structuredContent.stdout).toBe('again\n');
  });

  it('refuses a user the host is not granted to, without connecting', async () => {
    const before = remote.processes.length;
    const result = await bed.call('ssh_execute', { host: 'build-box', command: 'id' }, await bed.token(bob, 'ssh:execute'));
    expect(result.isError).toBe(true);
    expect(result.content[0]?.text).toBe('"build-box" is not an approved host you may use. Nothing was run; ssh_hosts lists your hosts.');
    expect(remote.processes.length).toBe(before);
    expect(await lastAudit()).toMatchObject({ userId: bob, outcome: 'not_granted', hostName: 'build-box', command: 'id' });
  });

  it('refuses a host no admin approved, with the same words as an ungranted one', async () => {
    const result = await bed.call('ssh_execute', { host: 'prod-db', command: 'id' }, aliceToken);
    expect(result.content[0]?.text).toBe('"prod-db" is not an approved host you may use. Nothing was run; ssh_hosts lists your hosts.');
    expect(await lastAudit()).toMatchObject({ outcome: 'host_not_approved', hostName: 'prod-db' });
  });

  describe('RS-28: host names are exact admin-list names, never addresses or ssh syntax', () => {
    let otherBox: string;
    beforeAll(async () => {
      const carol = await bed.createUser();
      otherBox = await bed.approveHost({ name: 'other-box', port: remote.port, privateKey: clientKey.private, hostKey: remote.hostKey.public });
      await bed.grant(carol, otherBox);
    });

    it.each([
      'build-box.',
      'BUILD-BOX',
      'Build-Box',
      ' build-box',
      'build-box ',
      'build-box\n',
      'build-box\u0000',
      'ｂuild-box',
      'build-box:22',
      'deploy@build-box',
      'root@build-box',
      'ssh://deploy@build-box',
      '-oProxyCommand=sh -c id',
      'build-box -oProxyCommand=x',
      '127.0.0.1',
      'localhost',
      '169.254.169.254',
      '2130706433',
      '[::ffff:127.0.0.1]',
      '::1',
      'build-box/../other-box',
      'other-box',
    ])('RS-28: refuses host %j', async (host) => {
      const before = remote.processes.length;
      const result = await bed.call('ssh_execute', { host, command: 'id' }, aliceToken);
      expect(result.isError).toBe(true);
      expect(result.content[0]?.text).toMatch(/is not an approved host you may use\. Nothing was run/);
      expect(remote.processes.length).toBe(before);
      const row = await lastAudit();
      expect(row?.outcome).toBe(host === 'other-box' ? 'not_granted' : 'host_not_approved');
    });

    it('RS-28: also refuses the loopback address with the approved port, the very address build-box points at', async () => {
      const result = await bed.call('ssh_execute', { host: `127.0.0.1:${remote.port}`, command: 'id' }, aliceToken);
      expect(result.isError).toBe(true);
      expect((await lastAudit())?.outcome).toBe('host_not_approved');
    });
  });

  describe('RS-29: nothing in the arguments reaches a local shell', () => {
    const canary = path.join(tmpdir(), `ssh-rs29-${randomUUID()}`);

    it.each([`build-box;touch ${canary}`, `$(touch ${canary})`, `\`touch ${canary}\``, `build-box\ntouch ${canary}`, `-oProxyCommand=touch ${canary}`])(
      'RS-29: a host argument %j runs nothing anywhere',
      async (host) => {
        const before = remote.processes.length;
        const result = await bed.call('ssh_execute', { host, command: 'id' }, aliceToken);
        expect(result.isError).toBe(true);
        expect(existsSync(canary)).toBe(false);
        expect(remote.processes.length).toBe(before);
      },
    );

    it.each(['echo $(echo expanded)', 'echo `echo ticks`', 'echo a; echo b', "printf '%s' 'line1\nline2'", '-n', '--help; echo x', 'echo "$HOME" \'$PATH\' \\$x'])(
      'RS-29: the command %j reaches the remote byte for byte, as one exec string',
      async (command) => {
        const before = remote.processes.length;
        await bed.call('ssh_execute', { host: 'build-box', command }, aliceToken);
        expect(remote.processes[before]?.command).toBe(command);
      },
    );

    it('RS-29: the ssh tool code never spawns a local process', () => {
      const dir = path.join(import.meta.dirname, '../../src/tools/ssh');
      for (const file of readdirSync(dir)) {
        const source = readFileSync(path.join(dir, file), 'utf8');
        expect(source, file).not.toMatch(/child_process|\bexecFile\b|\bspawn\(/);
      }
    });

    it('RS-29: a command with a NUL character is refused and audited', async () => {
      const result = await bed.call('ssh_execute', { host: 'build-box', command: 'id\u0000; rm -rf /' }, aliceToken);
      expect(result.content[0]?.text).toBe('Refused: command contains a NUL character. Nothing was run.');
      expect(await lastAudit()).toMatchObject({ outcome: 'invalid_command', command: 'id\\u0000; rm -rf /' });
    });
  });

  describe('per-host command allow-list (full match)', () => {
    let token: string;
    beforeAll(async () => {
      const hostId = await bed.approveHost({
        name: 'limited-box',
        port: remote.port,
        privateKey: clientKey.private,
        hostKey: remote.hostKey.public,
        commandAllowList: ['uptime', 'echo [a-z]+'],
      });
      const user = await bed.createUser();
      await bed.grant(user, hostId);
      token = await bed.token(user, 'ssh:execute');
    });

    it('runs a command matching a pattern in full', async () => {
      const result = await bed.call('ssh_execute', { host: 'limited-box', command: 'echo hello' }, token);
      expect(result.structuredContent.stdout).toBe('hello\n');
    });

    it.each(['echo hello; id', 'uptime && id', 'echo hello\nid', 'id', 'echo HELLO', ' uptime', 'uptime\n'])('refuses %j', async (command) => {
      const before = remote.processes.length;
      const result = await bed.call('ssh_execute', { host: 'limited-box', command }, token);
      expect(result.isError).toBe(true);
      expect(result.content[0]?.text).toBe('Refused: the command is not on the allow-list an administrator set for host "limited-box". Nothing was run.');
      expect(remote.processes.length).toBe(before);
      expect(await lastAudit()).toMatchObject({ outcome: 'command_not_allowed', command });
    });

    it('ssh_hosts shows the allow-list', async () => {
      const result = await bed.call('ssh_hosts', {}, token);
      expect(result.structuredContent.hosts).toEqual([{ name: 'limited-box', user: 'deploy', commandAllowList: ['uptime', 'echo [a-z]+'] }]);
    });
  });

  describe('connection refusals', () => {
    let user: string;
    let token: string;
    const extra: Array<{ close(): Promise<void> }> = [];
    beforeAll(async () => {
      user = await bed.createUser();
      token = await bed.token(user, 'ssh:execute');
    });
    afterAll(async () => {
      for (const server of extra) await server.close();
    });

    async function approveFor(name: string, input: Omit<Parameters<SshBed['approveHost']>[0], 'name'>) {
      await bed.grant(user, await bed.approveHost({ ...input, name }));
    }

    it('refuses a host whose key changed (pinned key, no trust on first use) before logging in', async () => {
      const rebuilt = await startTestSshServer({ username: 'deploy', authorizedKey: clientKey.public });
      extra.push(rebuilt);
      await approveFor('rebuilt-box', { port: rebuilt.port, privateKey: clientKey.private, hostKey: remote.hostKey.public });
      const result = await bed.call('ssh_execute', { host: 'rebuilt-box', command: 'id' }, token);
      expect(result.isError).toBe(true);
      expect(result.content[0]?.text).toMatch(/^Refused: host "rebuilt-box" presented a host key other than the one an administrator pinned/);
      expect(rebuilt.processes).toHaveLength(0);
      expect(rebuilt.refusedLogins).toBe(0);
      expect(await lastAudit()).toMatchObject({ outcome: 'host_key_mismatch', hostName: 'rebuilt-box' });
    });

    it('reports an authentication failure when the host does not accept the stored key', async () => {
      await approveFor('wrong-key-box', { port: remote.port, privateKey: generateEd25519().private, hostKey: remote.hostKey.public });
      const before = remote.processes.length;
      const result = await bed.call('ssh_execute', { host: 'wrong-key-box', command: 'id' }, token);
      expect(result.content[0]?.text).toBe(`Host "wrong-key-box" refused the login for its configured account and key. Nothing was run; ask an administrator to check the host's key.`);
      expect(remote.processes.length).toBe(before);
      expect(await lastAudit()).toMatchObject({ outcome: 'auth_failed' });
    });

    it('gives up on a server that never speaks SSH after the connect timeout', async () => {
      const sockets = new Set<Socket>();
      const silent: NetServer = createServer((socket) => sockets.add(socket));
      await new Promise<void>((resolve) => silent.listen(0, '127.0.0.1', resolve));
      extra.push({
        close: () =>
          new Promise<void>((resolve) => {
            for (const socket of sockets) socket.destroy();
            silent.close(() => resolve());
          }),
      });
      const port = (silent.address() as { port: number }).port;
      await approveFor('silent-box', { port, privateKey: clientKey.private, hostKey: remote.hostKey.public });
      const started = Date.now();
      const result = await bed.call('ssh_execute', { host: 'silent-box', command: 'id' }, token);
      expect(result.content[0]?.text).toBe('Host "silent-box" did not complete an SSH login within 1 s. Nothing was run.');
      expect(Date.now() - started).toBeLessThan(CONNECT_TIMEOUT_MS + 3000);
      expect(await lastAudit()).toMatchObject({ outcome: 'connect_timeout' });
    });

    it('reports a host nobody listens on', async () => {
      await approveFor('down-box', { port: await freePort(), privateKey: clientKey.private, hostKey: remote.hostKey.public });
      const result = await bed.call('ssh_execute', { host: 'down-box', command: 'id' }, token);
      expect(result.content[0]?.text).toBe('Could not connect to host "down-box". Nothing was run.');
      expect(await lastAudit()).toMatchObject({ outcome: 'connect_failed' });
    });

    it('refuses a host whose key was sealed under another KEY_ENCRYPTION_SECRET, without connecting', async () => {
      const hostId = await bed.approveHost({ name: 'foreign-box', port: remote.port, privateKey: clientKey.private, hostKey: remote.hostKey.public });
      await bed.prisma.sshHost.update({
        where: { id: hostId },
        data: { privateKeyEncrypted: sealSecret(clientKey.private, 'some-other-key-encryption-secret-0123456789', 'ssh-private-key', hostId) },
      });
      await bed.grant(user, hostId);
      const before = remote.processes.length;
      const result = await bed.call('ssh_execute', { host: 'foreign-box', command: 'id' }, token);
      expect(result.content[0]?.text).toBe('Host "foreign-box" cannot be used: its stored credentials do not open on this server. Ask an administrator.');
      expect(remote.processes.length).toBe(before);
      expect(await lastAudit()).toMatchObject({ outcome: 'key_unavailable' });
    });
  });

  describe('scope ssh:execute through /mcp with real tokens', () => {
    it.each(['ssh_execute', 'ssh_hosts'])('%s with a token lacking ssh:execute gets the insufficient_scope challenge and runs nothing', async (name) => {
      const before = remote.processes.length;
      const rows = (await auditRows(bed.prisma)).length;
      const token = await bed.token(alice, 'files:read chat:read chat:write');
      const result = await bed.call(name, { host: 'build-box', command: 'id' }, token);
      expect(result).toEqual({
        isError: true,
        content: [{ type: 'text', text: 'The access token lacks a scope this call needs' }],
        _meta: {
          'mcp/www_authenticate': [
            `Bearer resource_metadata="${new URL(bed.url).origin}/.well-known/oauth-protected-resource/mcp", error="insufficient_scope", error_description="The access token lacks a scope this call needs", scope="ssh:execute"`,
          ],
        },
      });
      expect(remote.processes.length).toBe(before);
      expect((await auditRows(bed.prisma)).length).toBe(rows);
    });

    it('tools/list declares both tools behind oauth2 ssh:execute', async () => {
      const reply = await postMcp(bed.url, rpc('tools/list'));
      const tools = reply.body.result.tools as Array<{ name: string; securitySchemes: unknown; annotations: Record<string, unknown> }>;
      for (const name of ['ssh_execute', 'ssh_hosts']) {
        expect(tools.find((tool) => tool.name === name)?.securitySchemes).toEqual([{ type: 'oauth2', scopes: ['ssh:execute'] }]);
      }
      expect(tools.find((tool) => tool.name === 'ssh_execute')?.annotations).toMatchObject({ destructiveHint: true, openWorldHint: true });
    });
  });
});
