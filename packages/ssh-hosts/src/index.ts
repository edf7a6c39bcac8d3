// An approved SSH host as stored: its name, pinned host key, command allow-list and sealed client
// key. The admin CLI approves hosts (prepareSshHost) and re-seals their keys; the MCP app's
// ssh_execute reads them back with the same rules.
export { prepareSshHost, type SshHostInput, type SshHostRow } from './host-approval.js';
export { isHostName, HOST_NAME_PATTERN } from './host-name.js';
export { canonicalHostKey, hostKeyAlgorithmsFor, parseHostKey, type PinnedHostKey } from './host-key.js';
export { compileAllowList, commandAllowed, commandProblem, MAX_COMMAND_CHARS } from './command-policy.js';
export { openPrivateKey, SSH_PRIVATE_KEY_PURPOSE } from './private-key.js';
export { resealSshPrivateKeys } from './reseal-private-keys.js';
