// @omnichat/util: small helpers more than one package or app needs, each written once.
export { BoundedMap } from './bounded-map.js';
export { withTimeout } from './with-timeout.js';
export { isLoopbackLiteral, isLoopbackName } from './loopback.js';
export { parseDuration } from './duration.js';
