import { spawn, type ChildProcess } from 'node:child_process';
import { readFileSync } from 'node:fs';
import path from 'node:path';

import { parse } from 'yaml';

import { REPO_ROOT } from '@omnichat/testkit';

type ComposeService = { command?: string[]; entrypoint?: string[]; environment?: Record<string, string | number | boolean> };

/** A compose service's argv and its environment with `${X:-default}` resolved to the default. */
export function composeService(name: string, secrets: Record<string, string>): { argv: string[]; env: Record<string, string> } {
  const compose = parse(readFileSync(path.join(REPO_ROOT, 'docker-compose.yml'), 'utf8'), { merge: true }) as { services: Record<string, ComposeService> };
  const service = compose.services[name];
  if (!service) throw new Error(`no service ${name}`);
  const env: Record<string, string> = {};
  for (const [key, raw] of Object.entries(service.environment ?? {})) {
    env[key] = String(raw).replace(/\$\{([A-Z_]+):([-?])([^}]*)\}/g, (_match, variable: string, kind: string, rest: string) => {
      if (secrets[variable] !== undefined) return secrets[variable];
      if (kind === '-') return rest;
      throw new Error(`${variable} is required by the compose file`);
    });
  }
  return { argv: [...(service.entrypoint ?? []), ...(service.command ?? [])], env };
}

export type ServiceProcess = {
  child: ChildProcess;
  output: () => string;
  exited: Promise<number | null>;
};

/** Starts argv (as a compose service runs it) from the repository root with exactly `env` plus PATH. */
export function startService(argv: string[], env: Record<string, string>): ServiceProcess {
  const [command, ...args] = argv;
  const child = spawn(command ?? 'node', args, { cwd: REPO_ROOT, env: { PATH: process.env.PATH ?? '', HOME: process.env.HOME ?? '/tmp', ...env }, stdio: ['ignore', 'pipe', 'pipe'] });
  let output = '';
  child.stdout?.on('data', (chunk: Buffer) => (output += chunk.toString()));
  child.stderr?.on('data', (chunk: Buffer) => (output += chunk.toString()));
  const exited = new Promise<number | null>((resolve) => child.once('exit', (code) => resolve(code)));
  return { child, output: () => output, exited };
}

/** Polls `url` until it answers 200 (the compose healthcheck does the same), or fails with the output. */
export async function waitReady(url: string, service: ServiceProcess, timeoutMs = 60_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  let exitCode: number | null | undefined;
  void service.exited.then((code) => (exitCode = code));
  while (Date.now() < deadline) {
    if (exitCode !== undefined) throw new Error(`exited with ${exitCode} before ready:\n${service.output()}`);
    const status = await fetch(url).then((response) => response.status, () => 0);
    if (status === 200) return;
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
  throw new Error(`not ready within ${timeoutMs} ms:\n${service.output()}`);
}
