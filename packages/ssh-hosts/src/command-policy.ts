/** Longest command one call may send, in characters; the audit row stores it whole. */
export const MAX_COMMAND_CHARS = 4096;

/** Longest allow-list pattern an admin may set, in characters. */
export const MAX_PATTERN_CHARS = 500;

/**
 * Compiles an admin's allow-list patterns, each anchored to match the WHOLE command (`^(?:p)$`),
 * so `uptime` allows `uptime` and not `uptime; rm -rf /`. Throws TypeError naming a bad pattern.
 */
export function compileAllowList(patterns: readonly string[]): RegExp[] {
  return patterns.map((pattern) => {
    if (pattern === '' || pattern.length > MAX_PATTERN_CHARS) {
      throw new TypeError(`allow-list pattern must be 1-${MAX_PATTERN_CHARS} characters`);
    }
    try {
      return new RegExp(`^(?:${pattern})$`, 'u');
    } catch (error) {
      throw new TypeError(`allow-list pattern ${JSON.stringify(pattern)} is not a valid regular expression: ${(error as Error).message}`);
    }
  });
}

/** An empty allow-list allows any command; otherwise one pattern must match all of it. */
export function commandAllowed(command: string, patterns: readonly string[]): boolean {
  if (patterns.length === 0) return true;
  return compileAllowList(patterns).some((pattern) => pattern.test(command));
}

/**
 * Why a command cannot be sent at all, or null. NUL cannot travel in an SSH exec request string
 * (RFC 4254 §6.5 sends it as a C string on the server side).
 */
export function commandProblem(command: string): string | null {
  if (command.trim() === '') return 'command is empty';
  if (command.length > MAX_COMMAND_CHARS) return `command is longer than ${MAX_COMMAND_CHARS} characters`;
  if (command.includes('\0')) return 'command contains a NUL character';
  return null;
}
