export { createReadiness, closeConnectionsWhileDraining, type Readiness } from './readiness.js';
export { installShutdown, loadConfigOrExit, type ShutdownSettings, type ShutdownStep } from './shutdown.js';
