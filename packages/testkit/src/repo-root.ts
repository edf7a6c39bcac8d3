import path from 'node:path';

/** The repository's root folder: the deployment files (docker-compose.yml, Dockerfile, prisma/) live there. */
export const REPO_ROOT = path.resolve(import.meta.dirname, '../../..');
