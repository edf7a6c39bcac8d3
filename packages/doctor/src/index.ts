// @omnichat/doctor: the connection doctor's store. The apps record each step a client takes
// (record), the admin CLI and the account page read them back as attempts with a diagnosis.
export { CONNECTION_STEPS, type ConnectionStep, type StepOutcome, type ConnectionFacts, type ConnectionEventInput, type ConnectionEventRow } from './connection-event.js';
export { createDoctorRecorder, type DoctorRecorder, type DoctorLogger, type RecorderOptions } from './recorder.js';
export { pruneConnectionEvents, DEFAULT_DOCTOR_RETENTION_HOURS, DEFAULT_DOCTOR_MAX_ROWS, PRUNE_BATCH_ROWS, type PruneOptions, type PruneResult } from './retention.js';
export { findConnectionEvents, MAX_QUERY_ROWS, type EventQuery } from './query.js';
export { buildAttempts, publicAttempt, type Attempt, type AttemptStep, type DiagnosedAttempt } from './attempts.js';
export { RULES, FALLBACK_RULE, ruleFor, type Rule } from './rules.js';
export { discoveryStep, type WellKnownFetch } from './discovery-step.js';
