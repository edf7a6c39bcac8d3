/**
 * Normalises a user-supplied file path into the key a file is stored under, or refuses it. Pure.
 *
 * Files live in Postgres rows keyed by (owner, path), never on a filesystem, so traversal cannot
 * reach another user's data by construction; these rules still refuse every traversal-looking
 * name (docs/security.md RS-26, RS-32) so that a path means the same thing to every client, log
 * line and future storage backend: relative ("/notes.md" is accepted and means "notes.md": one
 * leading "/" names the root of the user's files, as models write it), "/"-separated, no "." or ".." segments, no
 * backslashes, NUL or other control and invisible formatting characters, no percent-escapes,
 * no compatibility look-alikes (fullwidth "．．／" would normalise to "../"), bounded length
 * and depth. Stored in Unicode NFC.
 */
export const MAX_PATH_LENGTH = 255;
export const MAX_PATH_DEPTH = 16;
export const MAX_SEGMENT_LENGTH = 100;

export type PathCheck = { ok: true; path: string } | { ok: false; reason: string };

// C0/C1 controls, DEL, bidi overrides and isolates, zero-width and other format characters.
// eslint-disable-next-line no-control-regex -- matching control characters is the point of this pattern
const FORBIDDEN_CHARACTERS = /[\u0000-\u001f\u007f-\u009f\u00ad\u061c\u180e\u200b-\u200f\u2028-\u202e\u2060-\u206f\ufeff\ufff9-\ufffb]/u;
// Slash and dot look-alikes that NFKC leaves alone.
const LOOKALIKES = /[\u2024\u2044\u2215\u2571\u29f8\u2e2e\ufe52\uff0e\uff0f\uff3c]/u;
const PERCENT_ESCAPE = /%[0-9a-f]{2}/i;
const DRIVE_LETTER = /^[a-z]:/i;

export function normaliseFilePath(raw: string): PathCheck {
  // One leading "/" is the root of the user's files; every check below runs on the rest, so
  // "//x", "/../x" and "/./x" are refused like "/x", "../x" and "./x" would be.
  const input = raw.startsWith('/') ? raw.slice(1) : raw;
  if (raw === '/') return { ok: false, reason: 'path "/" is the root folder; name a file such as "/notes.md"' };
  if (input.length === 0) return { ok: false, reason: 'path is empty' };
  if (input.length > MAX_PATH_LENGTH) return { ok: false, reason: `path is longer than ${MAX_PATH_LENGTH} characters` };
  if (FORBIDDEN_CHARACTERS.test(input)) return { ok: false, reason: 'path contains control or invisible characters' };
  if (input.includes('\\')) return { ok: false, reason: 'use "/" to separate folders, not "\\"' };
  if (LOOKALIKES.test(input)) return { ok: false, reason: 'path contains look-alike dot or slash characters' };
  const nfc = input.normalize('NFC');
  if (nfc.normalize('NFKC') !== nfc) return { ok: false, reason: 'path contains compatibility characters (such as fullwidth forms)' };
  if (PERCENT_ESCAPE.test(nfc)) return { ok: false, reason: 'path contains percent-escapes' };
  if (nfc.startsWith('/')) return { ok: false, reason: 'path has an empty segment ("//")' };
  if (DRIVE_LETTER.test(nfc)) return { ok: false, reason: 'path must not start with a drive letter' };
  if (nfc.startsWith('~')) return { ok: false, reason: 'path must not start with "~"' };

  const segments = nfc.split('/');
  if (segments.length > MAX_PATH_DEPTH) return { ok: false, reason: `path is nested deeper than ${MAX_PATH_DEPTH} folders` };
  for (const segment of segments) {
    if (segment === '') return { ok: false, reason: 'path has an empty segment ("//" or a trailing "/")' };
    if (segment === '.' || segment === '..') return { ok: false, reason: 'path must not contain "." or ".." segments' };
    if (segment.trim() !== segment) return { ok: false, reason: 'path segments must not start or end with spaces' };
    if (segment.length > MAX_SEGMENT_LENGTH) return { ok: false, reason: `a path segment is longer than ${MAX_SEGMENT_LENGTH} characters` };
  }
  return { ok: true, path: nfc };
}
