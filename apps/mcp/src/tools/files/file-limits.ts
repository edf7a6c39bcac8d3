/** Largest single file, in UTF-8 bytes (docs/security.md RS-30, RS-32). */
export const MAX_FILE_BYTES = 256 * 1024;
/** Total bytes one user may store across all files. */
export const MAX_USER_BYTES = 10 * 1024 * 1024;
/** Most files one user may keep. */
export const MAX_USER_FILES = 1_000;
/** Most entries one list call returns. */
export const MAX_LIST_ENTRIES = 500;
