import { errors } from 'oidc-provider';

/**
 * The adapter's atomic consume found the row consumed already: another request redeemed this code
 * or refresh token first. Still oidc-provider's invalid_grant to the client (same name, status and
 * description); refresh rotation tells a lost race from other refusals by this class.
 */
export class AlreadyConsumedError extends errors.InvalidGrant {
  constructor(model: string) {
    super(`${model} already consumed`);
    this.name = 'InvalidGrant';
  }
}
