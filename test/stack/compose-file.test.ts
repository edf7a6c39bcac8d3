import { execFileSync } from 'node:child_process';
import { existsSync, readFileSync } from 'node:fs';
import path from 'node:path';

import { describe, expect, it } from 'vitest';
import { parse } from 'yaml';

import { APP_BUNDLES, CLI_BUNDLES } from '../../scripts/build.js';
import { DEFAULT_ALLOWED_REDIRECT_URIS } from '@omnichat/auth/testing';
import { REPO_ROOT } from '@omnichat/testkit';
import { envReadBy } from './helpers/deployment.js';

type Service = {
  command?: string[];
  entrypoint?: string[];
  environment?: Record<string, string | number | boolean>;
  healthcheck?: { test?: string[]; disable?: boolean };
  depends_on?: Record<string, { condition: string }>;
  build?: string;
  volumes?: string[];
  stop_grace_period?: string;
};
const compose = parse(readFileSync(path.join(REPO_ROOT, 'docker-compose.yml'), 'utf8'), { merge: true }) as { services: Record<string, Service> };
const services = compose.services;
const appServices = Object.entries(services).filter(([name]) => name !== 'postgres' && name !== 'init-secrets');
const ENTRYPOINT = '/app/docker/entrypoint.sh';

/** `${NAME:-default}` / `${NAME:?message}` → the default (or undefined). */
const composeDefault = (value: string) => /^\$\{[A-Z_]+:-(.*)\}$/.exec(value)?.[1];

describe('docker-compose.yml', () => {
  it('has postgres with a volume and a healthcheck, a one-shot migrate, auth and mcp', () => {
    expect(Object.keys(services)).toEqual(expect.arrayContaining(['postgres', 'migrate', 'auth', 'mcp']));
    expect(services.postgres?.volumes?.[0]).toMatch(/^pgdata:/);
    expect(services.postgres?.healthcheck?.test?.join(' ')).toContain('pg_isready');
    expect(services.migrate?.depends_on?.postgres?.condition).toBe('service_healthy');
    expect(services.auth?.depends_on?.migrate?.condition).toBe('service_completed_successfully');
    expect(services.mcp?.depends_on?.auth?.condition).toBe('service_healthy');
  });

  it.each(appServices)('service %s runs a file that exists in the image, built from the Dockerfile', (_name, service) => {
    // The image's entry point (docker/entrypoint.sh) runs first; admin names it, as it sets its own.
    const argv = [...(service.entrypoint ?? []), ...(service.command ?? [])].filter((arg) => arg !== ENTRYPOINT);
    expect(service.build).toBe('.');
    // Plain node on a bundle `pnpm build` writes in the image: no tsx at run time.
    expect(argv[0]).toBe('node');
    expect([...APP_BUNDLES, ...CLI_BUNDLES].map((target) => target.outfile)).toContain(argv[1]);
  });

  it('generates the secrets once into a volume: no secret in any app service, postgres reads its file', () => {
    const init = services['init-secrets'];
    expect(init?.entrypoint).toEqual(['node', 'docker/init-secrets.mjs']);
    expect(existsSync(path.join(REPO_ROOT, 'docker/init-secrets.mjs'))).toBe(true);
    expect(services.postgres?.environment?.POSTGRES_PASSWORD_FILE).toBe('/run/omnichat-secrets/postgres-password');
    expect(services.postgres?.depends_on?.['init-secrets']?.condition).toBe('service_completed_successfully');
    for (const [name, service] of appServices) {
      expect(service.volumes, name).toContain('secrets:/run/omnichat-secrets:ro');
      expect(Object.keys(service.environment ?? {}), name).not.toEqual(expect.arrayContaining(['KEY_ENCRYPTION_SECRET']));
      expect(Object.keys(service.environment ?? {}), name).not.toEqual(expect.arrayContaining(['DATABASE_URL']));
    }
  });

  it.each(appServices)('service %s sets only variables its process reads', (name, service) => {
    const reads = envReadBy()[name as 'auth' | 'mcp' | 'migrate' | 'admin'];
    expect(reads, `no read set for ${name}`).toBeDefined();
    const unknown = Object.keys(service.environment ?? {}).filter((key) => !reads.has(key));
    expect(unknown).toEqual([]);
  });

  it('defaults ALLOWED_REDIRECT_URIS to exactly the auth app default (no drift)', () => {
    const value = String(services.auth?.environment?.ALLOWED_REDIRECT_URIS);
    expect(composeDefault(value)?.split(',')).toEqual(DEFAULT_ALLOWED_REDIRECT_URIS);
  });

  it('serves metrics on the container network only: the metrics ports are never published', () => {
    for (const [name, variable, port] of [['auth', 'AUTH_METRICS_PORT', '9464'], ['mcp', 'MCP_METRICS_PORT', '9465']] as const) {
      const service = services[name] as Service & { ports?: string[] };
      expect(composeDefault(String(service.environment?.[variable]))).toBe(port);
      expect(composeDefault(String(service.environment?.METRICS_HOST))).toBe('0.0.0.0');
      expect(service.ports?.join(' ')).not.toMatch(new RegExp(`${port}|METRICS`));
    }
  });

  it('checks readiness of auth and mcp through /readyz on their own port and allows a graceful stop', () => {
    const script = readFileSync(path.join(REPO_ROOT, 'docker/healthcheck.mjs'), 'utf8');
    expect(script).toContain('/readyz');
    expect(script).toContain('process.env.AUTH_PORT ?? process.env.MCP_PORT');
    expect(services.auth?.environment?.AUTH_PORT).toBeDefined();
    expect(services.mcp?.environment).not.toHaveProperty('AUTH_PORT');
    for (const name of ['auth', 'mcp']) {
      expect(services[name]?.healthcheck?.test).toEqual(['CMD', 'node', 'docker/healthcheck.mjs']);
      expect(services[name]?.stop_grace_period).toBe('40s');
    }
  });

  it("has no exec-form healthcheck element with a space (podman's Docker-compatible API splits them at spaces)", () => {
    for (const [name, service] of Object.entries(services)) {
      const [form, ...argv] = service.healthcheck?.test ?? [];
      if (form === 'CMD') expect(argv.filter((arg) => arg.includes(' ')), name).toEqual([]);
    }
  });

  it('one-shots (init-secrets, migrate, admin) disable the image healthcheck; the servers keep it', () => {
    for (const name of ['init-secrets', 'migrate', 'admin']) expect(services[name]?.healthcheck, name).toEqual({ disable: true });
  });

  it('.env.example documents every variable any app reads', () => {
    const documented = readFileSync(path.join(REPO_ROOT, '.env.example'), 'utf8');
    const all = new Set(Object.values(envReadBy()).flatMap((set) => [...set]));
    const missing = [...all].filter((key) => !new RegExp(`^#? ?${key}=`, 'm').test(documented));
    expect(missing).toEqual([]);
  });

  it("README's configuration table names every variable any app reads", () => {
    const readme = readFileSync(path.join(REPO_ROOT, 'README.md'), 'utf8');
    const table = readme.slice(readme.indexOf('## Configuration'), readme.indexOf('\n## ', readme.indexOf('## Configuration') + 1));
    const all = new Set(Object.values(envReadBy()).flatMap((set) => [...set]));
    expect([...all].filter((key) => !table.includes(`\`${key}\``))).toEqual([]);
  });

  it('Dockerfile: Node 22 LTS base, pinned pnpm from package.json, frozen lockfile, non-root user', () => {
    const dockerfile = readFileSync(path.join(REPO_ROOT, 'Dockerfile'), 'utf8');
    const pinned = (JSON.parse(readFileSync(path.join(REPO_ROOT, 'package.json'), 'utf8')) as { packageManager: string }).packageManager.split('@')[1];
    expect(dockerfile).toMatch(/^ARG NODE_IMAGE=node:22-/m);
    expect(dockerfile).toContain(`ARG PNPM_VERSION=${pinned}`);
    expect(dockerfile).toContain('pnpm install --frozen-lockfile --offline');
    // The servers' bundles are built in the image, and the default command runs one of them.
    expect(dockerfile).toMatch(/^RUN pnpm build$/m);
    expect(dockerfile).toContain(`CMD ["node", "${APP_BUNDLES[0].outfile}"]`);
    expect(dockerfile).toMatch(/^USER node$/m);
    // Slim: production dependencies only in what the runtime stage copies; a node-based healthcheck.
    expect(dockerfile).toContain('pnpm install --frozen-lockfile --offline --prod');
    expect(dockerfile).toMatch(/^HEALTHCHECK .*CMD \["node", "\/app\/docker\/healthcheck.mjs"\]$/m);
    expect(dockerfile).toContain(`ENTRYPOINT ["${ENTRYPOINT}"]`);
    expect(dockerfile.indexOf('USER node')).toBeGreaterThan(dockerfile.lastIndexOf('FROM '));
  });

  it("Dockerfile: the runtime has pg_dump/pg_restore of compose's Postgres major, on the same Debian release", () => {
    const dockerfile = readFileSync(path.join(REPO_ROOT, 'Dockerfile'), 'utf8');
    const [, release] = /^ARG NODE_IMAGE=node:22-([a-z]+)-slim$/m.exec(dockerfile) ?? [];
    const [, major, postgresRelease] = /^(\d+)-([a-z]+)$/.exec(String((services.postgres as Service & { image?: string }).image).replace(/^postgres:/, '')) ?? [];
    expect(major, 'postgres image tag <major>-<release>').toBeDefined();
    expect(postgresRelease).toBe(release);
    // In the runtime stage (after its FROM): the build stage's tools never reach the image.
    const runtime = dockerfile.slice(dockerfile.lastIndexOf('FROM '));
    expect(runtime).toMatch(new RegExp(`apt-get install -y --no-install-recommends postgresql-client-${major}( |$)`, 'm'));
    expect(runtime).toContain('rm -rf /var/lib/apt/lists/*');
    // admin backup --out /backups/... : the admin service's volume, whose mount point the app user owns.
    expect(services.admin?.volumes).toContain('backups:/backups');
    expect(runtime).toContain('install -d -o node -g node -m 0700 /backups');
  });

  it.skipIf(!hasDockerCompose())('passes `docker-compose config` with no .env at all, and with the secrets set', () => {
    const run = (env: Record<string, string>) => execFileSync('docker-compose', ['-f', 'docker-compose.yml', 'config', '-q'], { cwd: REPO_ROOT, env: { PATH: process.env.PATH ?? '', ...env }, stdio: 'pipe' });
    expect(() => run({ POSTGRES_PASSWORD: 'p', KEY_ENCRYPTION_SECRET: 'k'.repeat(32) })).not.toThrow();
    expect(() => run({})).not.toThrow();
  });
});

function hasDockerCompose(): boolean {
  try {
    execFileSync('docker-compose', ['version'], { stdio: 'ignore' });
    return true;
  } catch {
    return false;
  }
}
