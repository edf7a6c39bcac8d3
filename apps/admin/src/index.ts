export { runAdmin, type AdminRuntime } from './run-admin.js';
export { COMMANDS } from './commands/index.js';
export { EXIT, CommandError, UsageError, type AdminCommand, type CommandArgs, type CommandContext } from './command.js';
