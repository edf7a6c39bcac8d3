import { z } from 'zod';
import { defineTool, structuredOutcome, ToolError } from '../tool-kit.js';
import { listGrantedHosts } from './find-granted-host.js';

export const sshHosts = defineTool({
  name: 'ssh_hosts',
  title: 'List your SSH hosts',
  description: 'Lists the servers an administrator approved for you to run commands on with ssh_execute, with any command allow-list.',
  input: z.object({}).strict(),
  output: z.object({
    hosts: z.array(z.object({ name: z.string(), user: z.string(), commandAllowList: z.array(z.string()) })),
  }),
  async run(_input, context) {
    if (!context.principal) throw new ToolError('Sign in to use this tool');
    const rows = await listGrantedHosts(context.prisma, context.principal.subject);
    // Names only: ssh_execute takes a name, never an address, so the address is not the caller's business.
    const hosts = rows.map((host) => ({ name: host.name, user: host.username, commandAllowList: host.commandAllowList }));
    const text =
      hosts.length === 0
        ? 'No SSH hosts are approved for you. An administrator grants them with `pnpm admin ssh:grant`.'
        : hosts
            .map((host) => `${host.name} (as ${host.user})${host.commandAllowList.length > 0 ? `: only commands matching ${host.commandAllowList.join(' | ')}` : ''}`)
            .join('\n');
    return structuredOutcome({ hosts }, text);
  },
});
