/**
 * What provider/refresh-grace.ts decided about one refresh request, for the doctor: answered
 * again within the grace window, or reuse that ended the grant. oidc-provider raises its usual
 * grant.success / grant.error for these; the mark says which of our branches ran.
 */
export type RefreshMark = 'grace' | 'reuse';

const marks = new WeakMap<object, RefreshMark>();

export function markRefresh(ctx: object, mark: RefreshMark): void {
  marks.set(ctx, mark);
}

export function refreshMark(ctx: object): RefreshMark | undefined {
  return marks.get(ctx);
}
