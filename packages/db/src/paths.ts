// Where the repository keeps what this package reads and writes, resolved from this file so scripts
// work from any working directory.
import path from 'node:path';
import { fileURLToPath } from 'node:url';

export const REPO_ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../../..');
export const SCHEMA_PATH = path.join(REPO_ROOT, 'prisma/schema.prisma');
export const MIGRATIONS_DIR = path.join(REPO_ROOT, 'prisma/migrations');
export const DATA_DIR = path.join(REPO_ROOT, '.data');
export const KB_DIR = path.join(REPO_ROOT, 'kb');
