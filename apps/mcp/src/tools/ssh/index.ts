// `@omnichat/mcp/ssh`: what the admin CLI needs to approve hosts the way ssh_execute reads them.
export { prepareSshHost, type SshHostInput, type SshHostRow } from './host-approval.js';
export { isHostName, HOST_NAME_PATTERN } from './host-name.js';
export { canonicalHostKey, parseHostKey } from './host-key.js';
export { compileAllowList, commandAllowed } from './command-policy.js';
export { SSH_PRIVATE_KEY_PURPOSE } from './private-key.js';
export { resealSshPrivateKeys } from './reseal-private-keys.js';
export type { SshOutcome } from './ssh-audit.js';
