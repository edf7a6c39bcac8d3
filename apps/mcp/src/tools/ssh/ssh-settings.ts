/** How ssh_execute runs commands; from the MCP config (SSH_* variables), fixed per process. */
export type SshSettings = {
  /** TCP connect + SSH handshake + authentication, in milliseconds. */
  connectTimeoutMs: number;
  /** From the exec request to the command's exit; past it the remote command is killed. */
  runTimeoutMs: number;
  /** Per stream (stdout, stderr): what the caller gets back; more stops the command. */
  outputCapBytes: number;
  /** Commands one user may have running at once on this replica (docs/security.md RS-31). */
  maxConcurrentPerUser: number;
};

export const DEFAULT_SSH_SETTINGS: SshSettings = {
  connectTimeoutMs: 10_000,
  runTimeoutMs: 30_000,
  outputCapBytes: 64 * 1024,
  maxConcurrentPerUser: 2,
};
