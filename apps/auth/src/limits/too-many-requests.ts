import { errors } from 'oidc-provider';

/**
 * 429 with the OAuth error shape (RFC 6585 §4; RFC 6749 §5.2 has no rate-limit code, and
 * `temporarily_unavailable` is the nearest one clients already handle). The caller sets
 * Retry-After; the error is never redirected to a client.
 */
export class TooManyRequests extends errors.OIDCProviderError {
  override allow_redirect = false;
  override readonly error_description: string;

  constructor(description: string, readonly retryAfterSeconds: number) {
    super(429, 'temporarily_unavailable');
    this.error_description = description;
  }
}
