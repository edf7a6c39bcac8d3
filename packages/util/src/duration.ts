const UNIT_MS = { s: 1_000, m: 60_000, h: 3_600_000, d: 86_400_000 } as const;
type Unit = keyof typeof UNIT_MS;

/**
 * A command-line duration, "45s", "30m", "2h" or "7d", in milliseconds: a whole number from 1 to
 * 999999 and one of `units`. Anything else (zero, a fraction, a space, another unit, upper case)
 * is undefined, for the caller to refuse in its own words.
 */
export function parseDuration(text: string, units: readonly Unit[] = ['s', 'm', 'h', 'd']): number | undefined {
  const match = /^([1-9]\d{0,5})([smhd])$/.exec(text);
  const unit = match?.[2] as Unit | undefined;
  if (!match || !unit || !units.includes(unit)) return undefined;
  return Number(match[1]) * UNIT_MS[unit];
}
