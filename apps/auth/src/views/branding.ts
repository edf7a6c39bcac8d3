/**
 * What the pages take from configuration: the product's name, an optional logo and an accent
 * colour. Validated at boot (config.ts) with the checks below, so a page never renders a logo from
 * an http: or javascript: URL, or a colour that is not a colour.
 */
export type Branding = {
  name: string;
  /** An https URL or a data:image URL; its origin is added to the pages' img-src. */
  logoUrl?: string | undefined;
  /** `#rrggbb`. */
  color: string;
};

export const DEFAULT_BRAND_COLOR = '#2457d6';

const HEX_COLOUR = /^#(?:[0-9a-f]{3}|[0-9a-f]{6})$/i;
const DATA_IMAGE = /^data:image\/(?:png|jpeg|gif|webp|svg\+xml)(?:;base64)?,[A-Za-z0-9+/=%._~-]+$/;
export const MAX_LOGO_URL_CHARS = 64 * 1024;

/** Why a BRAND_LOGO_URL is refused, or undefined when it is acceptable. */
export function logoUrlProblem(value: string): string | undefined {
  if (value.length > MAX_LOGO_URL_CHARS) return `must be at most ${MAX_LOGO_URL_CHARS} characters`;
  if (value.startsWith('data:')) return DATA_IMAGE.test(value) ? undefined : 'a data: URL must be a png, jpeg, gif, webp or svg+xml image';
  const url = URL.parse(value);
  if (!url || url.protocol !== 'https:') return 'must be an https URL or a data:image URL';
  if (url.username || url.password) return 'must not carry credentials';
  return undefined;
}

/** `#abc` → `#aabbcc`, lower case; undefined for anything that is not a hex colour. */
export function normaliseHexColour(value: string): string | undefined {
  if (!HEX_COLOUR.test(value)) return undefined;
  const hex = value.slice(1).toLowerCase();
  return `#${hex.length === 3 ? [...hex].map((c) => c + c).join('') : hex}`;
}

/** WCAG 2.2 relative luminance of a `#rrggbb` colour. */
export function relativeLuminance(hex: string): number {
  const channel = (offset: number) => {
    const value = Number.parseInt(hex.slice(offset, offset + 2), 16) / 255;
    return value <= 0.04045 ? value / 12.92 : ((value + 0.055) / 1.055) ** 2.4;
  };
  return 0.2126 * channel(1) + 0.7152 * channel(3) + 0.0722 * channel(5);
}

/** WCAG 2.2 contrast ratio between two `#rrggbb` colours (1 to 21). */
export function contrastRatio(a: string, b: string): number {
  const [light, dark] = [relativeLuminance(a), relativeLuminance(b)].sort((x, y) => y - x) as [number, number];
  return (light + 0.05) / (dark + 0.05);
}

const WHITE = '#ffffff';
const INK = '#111827';

/**
 * Colours derived from the brand colour that keep WCAG AA (4.5:1) whatever an operator picks:
 * button text is white or ink, whichever reads better on the brand colour; link and accent text
 * on the white card falls back to ink when the brand colour is too light to read.
 */
export function brandPalette(color: string): { accent: string; onAccent: string; accentText: string } {
  const onAccent = contrastRatio(color, WHITE) >= contrastRatio(color, INK) ? WHITE : INK;
  const accentText = contrastRatio(color, WHITE) >= 4.5 ? color : INK;
  return { accent: color, onAccent, accentText };
}
