// ssh2 is CommonJS: Node's ESM loader sees only its default export, so every module takes the
// library from here.
import ssh2 from 'ssh2';

export const { Client: SshClient, utils: sshUtils } = ssh2;
export type { ClientChannel, ServerHostKeyAlgorithm } from 'ssh2';
