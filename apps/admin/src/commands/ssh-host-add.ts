import { readFile } from 'node:fs/promises';
import { audit } from '@omnichat/audit';
import { prepareSshHost } from '@omnichat/ssh-hosts';

import { CommandError, EXIT, UsageError, stringOption, type AdminCommand } from '../command.js';
import { adminConfigFrom } from '../admin-config.js';
import { publicSshHost } from './ssh-support.js';

/** A private key file is a few KiB; anything far larger is the wrong file. */
const MAX_KEY_FILE_BYTES = 64 * 1024;

export const sshHostAdd: AdminCommand = {
  name: 'ssh:host:add',
  summary: 'Approve a host for ssh_execute: its address, account, pinned host key and private key (sealed at rest)',
  usage:
    'pnpm admin ssh:host:add --name <name> --host <address> [--port 22] --user <account> --key-file <private key file> ' +
    '--host-key "ssh-ed25519 AAAA..." [--allow <regex>]... [--json]',
  options: {
    name: { type: 'string' },
    host: { type: 'string' },
    port: { type: 'string' },
    user: { type: 'string' },
    'key-file': { type: 'string' },
    'host-key': { type: 'string' },
    allow: { type: 'string', multiple: true },
  },
  async run(args, ctx) {
    const required = (option: string): string => {
      const value = stringOption(args, option);
      if (value === undefined || value === '') throw new UsageError(`--${option} is required`);
      return value;
    };
    const name = required('name');
    const address = required('host');
    const username = required('user');
    const keyFile = required('key-file');
    const hostKey = required('host-key');
    const portText = stringOption(args, 'port') ?? '22';
    if (!/^\d{1,5}$/.test(portText)) throw new CommandError('--port must be a whole number from 1 to 65535');
    const allow = args.values['allow'];
    const commandAllowList = Array.isArray(allow) ? allow.filter((value): value is string => typeof value === 'string') : [];

    const config = adminConfigFrom(ctx.env);
    if (config.usingDevKeySecret) ctx.out.note('warning: KEY_ENCRYPTION_SECRET is unset; the key is sealed with the public development secret');
    const privateKey = await readKeyFile(keyFile);

    let row;
    try {
      row = prepareSshHost({ name, address, port: Number(portText), username, privateKey, hostKey, commandAllowList }, config.keyEncryptionSecret);
    } catch (error) {
      if (error instanceof TypeError) throw new CommandError(error.message);
      throw error;
    }
    if (await ctx.prisma.sshHost.findUnique({ where: { name }, select: { id: true } })) {
      throw new CommandError(`a host named "${name}" already exists; remove it first (ssh:host:remove) to replace it`);
    }
    const host = await ctx.prisma.sshHost.create({ data: row });
    audit(ctx.log, {
      event: 'ssh.host_added',
      host: host.name,
      address: host.address,
      port: host.port,
      username: host.username,
      hostKey: host.hostKey,
      commandAllowList: host.commandAllowList,
      by: 'admin_cli',
    });
    ctx.out.result(publicSshHost(host), [
      `approved ${host.name}: ${host.username}@${host.address}:${host.port}, host key pinned (${host.hostKey.split(' ')[0]})`,
      host.commandAllowList.length > 0 ? `commands allowed: ${host.commandAllowList.join(' | ')}` : 'commands allowed: any',
      `grant it with: pnpm admin ssh:grant --user <email> --host ${host.name}`,
    ]);
    return EXIT.ok;
  },
};

async function readKeyFile(file: string): Promise<string> {
  let text: Buffer;
  try {
    text = await readFile(file);
  } catch (error) {
    throw new CommandError(`cannot read --key-file ${file}: ${(error as NodeJS.ErrnoException).code ?? 'unreadable'}`);
  }
  if (text.length > MAX_KEY_FILE_BYTES) throw new CommandError(`--key-file ${file} is larger than ${MAX_KEY_FILE_BYTES} bytes; is it a private key?`);
  return text.toString('utf8');
}
