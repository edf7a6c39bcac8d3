const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

/**
 * Whether `value` is a UUID in its text form, in either case: User.id (and so every token's `sub`)
 * is a Postgres `uuid`, which refuses anything else with an error rather than matching no row.
 */
export function isUuid(value: string): boolean {
  return UUID.test(value);
}
