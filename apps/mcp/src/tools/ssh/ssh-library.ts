// ssh2 is CommonJS: Node's ESM loader sees only its default export, so every module of the tool
// takes the client from here (@omnichat/ssh-hosts parses keys with the same library).
import ssh2 from 'ssh2';

export const { Client: SshClient } = ssh2;
export type { ClientChannel } from 'ssh2';
