// docker-compose.yml's one-shot `init-secrets`: on the first start, generates the Postgres password
// and KEY_ENCRYPTION_SECRET into the `secrets` volume; on every later start, keeps them. A value set
// in .env (passed in as POSTGRES_PASSWORD / KEY_ENCRYPTION_SECRET) wins and replaces the stored one.
// Each file is readable by the one account that needs it (mode 0400): postgres (uid 999) for its
// password, the app user `node` (uid 1000) for the database URL and the key secret.
// Plain node, no dependencies: runs as root from the app image before anything else starts.
import { randomBytes } from 'node:crypto';
import { chmodSync, chownSync, existsSync, readFileSync, renameSync, writeFileSync } from 'node:fs';
import path from 'node:path';

const DIR = process.env.SECRETS_DIR ?? '/run/omnichat-secrets';
const POSTGRES_UID = 999;
const APP_UID = 1000;

function stored(name) {
  const file = path.join(DIR, name);
  return existsSync(file) ? readFileSync(file, 'utf8') : undefined;
}

function write(name, value, uid) {
  const file = path.join(DIR, name);
  const temporary = `${file}.tmp`;
  writeFileSync(temporary, value, { mode: 0o400 });
  chownSync(temporary, uid, uid);
  chmodSync(temporary, 0o400);
  renameSync(temporary, file);
}

/** The .env value, else the stored one, else a new random one; and where it came from. */
function resolve(envName, file) {
  const fromEnv = process.env[envName];
  if (fromEnv) return { value: fromEnv, source: '.env' };
  const kept = stored(file);
  if (kept) return { value: kept, source: 'kept' };
  return { value: randomBytes(32).toString('base64url'), source: 'generated' };
}

chmodSync(DIR, 0o711);
const password = resolve('POSTGRES_PASSWORD', 'postgres-password');
const keySecret = resolve('KEY_ENCRYPTION_SECRET', 'key-encryption-secret');
if (keySecret.value.length < 32) {
  console.error('init-secrets: KEY_ENCRYPTION_SECRET must be at least 32 characters');
  process.exit(1);
}
write('postgres-password', password.value, POSTGRES_UID);
write('database-url', `postgres://omnichat:${encodeURIComponent(password.value)}@postgres:5432/omnichat`, APP_UID);
write('key-encryption-secret', keySecret.value, APP_UID);
// Never the values themselves.
console.log(`init-secrets: POSTGRES_PASSWORD ${password.source}, KEY_ENCRYPTION_SECRET ${keySecret.source} (${DIR})`);
