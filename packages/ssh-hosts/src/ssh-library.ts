// ssh2 is CommonJS: Node's ESM loader sees only its default export, so every module of this
// package takes the key utilities from here.
import ssh2 from 'ssh2';

export const { utils: sshUtils } = ssh2;
export type { ServerHostKeyAlgorithm } from 'ssh2';
