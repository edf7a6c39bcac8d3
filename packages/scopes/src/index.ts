export {
  SCOPES,
  RESOURCE_SCOPES,
  OIDC_SCOPES,
  isScope,
  isOidcScope,
  describeScope,
  type Scope,
  type OidcScope,
} from './catalogue.js';
export {
  UnknownScopeError,
  splitScopeString,
  parseScopes,
  formatScopes,
  missingScopes,
  hasScopes,
} from './scope-set.js';
