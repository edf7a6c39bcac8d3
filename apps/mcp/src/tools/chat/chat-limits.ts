/** Longest message one call may post, in characters. */
export const MAX_MESSAGE_CHARS = 16_000;
export const MAX_TITLE_CHARS = 200;
/** Page sizes: enough for a model's context, bounded for the server (RS-30). */
export const DEFAULT_PAGE = 20;
export const MAX_PAGE = 100;
