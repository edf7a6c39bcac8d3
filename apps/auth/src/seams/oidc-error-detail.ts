// Seam: oidc-provider's errors carry `error_detail`, the reason it does not send to the client
// (its type definitions only describe `error` and `error_description`). Pinned by
// test/seams/oidc-error-detail.test.ts.

/** The detail oidc-provider recorded on one of its errors, else its public description. */
export function refusalDetail(error: Error & { error_description?: string }): string | undefined {
  return (error as { error_detail?: string }).error_detail ?? error.error_description;
}
