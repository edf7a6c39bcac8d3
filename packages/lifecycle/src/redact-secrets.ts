/** Environment variables whose values are secrets by name (KEY_ENCRYPTION_SECRET, ADMIN_PASSWORD, ...). */
const SECRET_NAME = /SECRET|PASSWORD|PASSPHRASE|TOKEN|PRIVATE|CREDENTIAL/i;
/** Shorter values are not worth hiding and would mangle ordinary words. */
const MIN_SECRET_CHARS = 6;

/**
 * The secret values a crash report must never show: every variable named like a secret (comma
 * lists split, so each of KEY_ENCRYPTION_SECRET_PREVIOUS's entries counts), and the password of
 * every URL among the values (DATABASE_URL, REDIS_URL) and of `urls`.
 */
export function secretValues(env: Record<string, string | undefined>, urls: readonly string[] = []): string[] {
  const found = new Set<string>();
  const add = (value: string | undefined) => {
    if (value && value.length >= MIN_SECRET_CHARS) found.add(value);
  };
  for (const [name, value] of Object.entries(env)) {
    if (!value) continue;
    if (SECRET_NAME.test(name)) {
      add(value);
      value.split(',').forEach((part) => add(part.trim()));
    }
  }
  for (const value of [...Object.values(env), ...urls]) {
    const url = value && /^[a-z][a-z0-9+.-]*:\/\//i.test(value) ? URL.parse(value) : null;
    if (url?.password) {
      add(url.password);
      add(decodeURIComponent(url.password));
    }
  }
  // Longest first, so a secret that contains another is replaced whole.
  return [...found].sort((a, b) => b.length - a.length);
}

/** `text` with every one of `secrets` replaced by `[redacted]`. */
export function redactSecrets(text: string, secrets: readonly string[]): string {
  let result = text;
  for (const secret of secrets) result = result.split(secret).join('[redacted]');
  return result;
}
