import { fork } from 'node:child_process';
import { fileURLToPath } from 'node:url';

import { TEST_KEY_ENCRYPTION_SECRET } from '../../helpers/auth-server.js';

export type AuthProcess = { url: string; stop(): Promise<void> };

const CHILD = fileURLToPath(new URL('./auth-child.ts', import.meta.url));
const APP_DIR = fileURLToPath(new URL('../../../', import.meta.url));

/**
 * Starts the auth app in another OS process on the same database, answering for `issuer` (as a
 * replica behind a load balancer would). `env` adds or overrides settings (limits, grace window).
 */
export async function startAuthProcess(options: { databaseUrl: string; issuer: string; resourceUrl: string; env?: Record<string, string> }): Promise<AuthProcess> {
  const child = fork(CHILD, [], {
    cwd: APP_DIR,
    execArgv: ['--import', 'tsx'],
    stdio: ['ignore', 'ignore', 'inherit', 'ipc'],
    env: {
      ...process.env,
      DATABASE_URL: options.databaseUrl,
      ISSUER: options.issuer,
      RESOURCE_URL: options.resourceUrl,
      AUTH_HOST: '127.0.0.1',
      KEY_ENCRYPTION_SECRET: TEST_KEY_ENCRYPTION_SECRET,
      LOG_LEVEL: process.env.TEST_LOG_LEVEL ?? 'silent',
      ...options.env,
    },
  });
  const port = await new Promise<number>((resolve, reject) => {
    child.once('message', (message) => resolve((message as { port: number }).port));
    child.once('exit', (code) => reject(new Error(`auth child exited early with ${code}`)));
  });
  return {
    url: `http://127.0.0.1:${port}`,
    stop: () =>
      new Promise<void>((resolve) => {
        if (child.exitCode !== null) return resolve();
        child.once('exit', () => resolve());
        child.send('stop');
      }),
  };
}
