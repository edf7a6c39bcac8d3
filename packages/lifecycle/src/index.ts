export { createReadiness, closeConnectionsWhileDraining, type Readiness } from './readiness.js';
export { registerHealthRoutes, type ReadinessCheck } from './health-routes.js';
export { installShutdown, loadConfigOrExit, startOrExit, type ShutdownSettings, type ShutdownStep } from './shutdown.js';
export { tuneHeapForServer } from './heap.js';
export { AccessLogController } from './access-log.js';
export { productionUrlProblem } from './public-url.js';
export { DOTENV_PATH, loadDotEnv } from './dotenv.js';
export { developmentLogStream, serverLogDestination, type LogDestination } from './log-stream.js';
