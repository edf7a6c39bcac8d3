// Shared shape of the db CLIs: run, print one clear line on failure (no stack for expected errors),
// and exit explicitly so a lingering handle can never keep a finished script alive.
import { loadDotEnv } from '@omnichat/lifecycle';

export class CliError extends Error {}

export function runCli(main: () => Promise<void>): void {
  // .env at the repository root fills in what the environment leaves unset.
  loadDotEnv();
  main().then(
    () => process.exit(0),
    (error: unknown) => {
      if (error instanceof CliError) {
        console.error(error.message);
      } else {
        console.error(error instanceof Error ? (error.stack ?? error.message) : String(error));
      }
      process.exit(1);
    },
  );
}
