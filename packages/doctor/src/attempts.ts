import type { ConnectionEventRow, ConnectionFacts, ConnectionStep } from './connection-event.js';
import { ruleFor } from './rules.js';

export type AttemptStep = {
  at: string;
  step: ConnectionStep;
  outcome: 'ok' | 'failed';
  detail: string;
  rule?: string;
};

/** One connection attempt, in `pnpm admin doctor --json`'s shape. */
export type Attempt = {
  client_id: string | null;
  started_at: string;
  steps: AttemptStep[];
  /** For the first failed step: the rule, what broke and the fix, on one line. */
  diagnosis?: string;
};

/** An attempt with what the account page needs besides. */
export type DiagnosedAttempt = Attempt & { failed: boolean; plain?: string };

/** A pause this long means the client started over. */
const ATTEMPT_GAP_MS = 30 * 60_000;
/** Steps with no client yet (discovery, a refused registration) join a client first seen from the same address this soon after. */
const CORRELATION_WINDOW_MS = 5 * 60_000;

/** Where a step sits in a connection; a step earlier than one already seen starts a new attempt. */
const ORDER: Record<ConnectionStep, number> = { discovery: 0, registration: 1, authorize: 2, 'sign-in': 3, consent: 4, token: 5, mcp: 6, refresh: 6 };

/**
 * Groups recorded steps into attempts per client, newest attempt first. Client-less steps are
 * joined to the client whose first step came from the same source within the correlation window;
 * the rest form attempts of their own (client_id null), per source.
 */
export function buildAttempts(rows: readonly ConnectionEventRow[], options: { includeUnattributed?: boolean } = {}): DiagnosedAttempt[] {
  const sorted = [...rows].sort((a, b) => a.at.getTime() - b.at.getTime() || Number(a.id - b.id));
  const byClient = new Map<string, ConnectionEventRow[]>();
  const loose: ConnectionEventRow[] = [];
  for (const row of sorted) {
    if (row.clientId) byClient.set(row.clientId, [...(byClient.get(row.clientId) ?? []), row]);
    else loose.push(row);
  }
  const claimed = new Set<ConnectionEventRow>();
  for (const events of byClient.values()) {
    const first = events.find((event) => event.source);
    if (!first) continue;
    const joined = loose.filter((row) => !claimed.has(row) && row.source === first.source
      && row.at.getTime() <= first.at.getTime() && first.at.getTime() - row.at.getTime() <= CORRELATION_WINDOW_MS);
    for (const row of joined) claimed.add(row);
    events.unshift(...joined);
  }
  const groups: [string | null, ConnectionEventRow[]][] = [...byClient];
  if (options.includeUnattributed) {
    const bySource = new Map<string, ConnectionEventRow[]>();
    for (const row of loose) if (!claimed.has(row)) bySource.set(row.source ?? '', [...(bySource.get(row.source ?? '') ?? []), row]);
    for (const events of bySource.values()) groups.push([null, events]);
  }
  const attempts = groups.flatMap(([clientId, events]) => split(events).map((steps) => diagnose(clientId, steps)));
  return attempts.sort((a, b) => b.started_at.localeCompare(a.started_at));
}

function split(events: readonly ConnectionEventRow[]): ConnectionEventRow[][] {
  const attempts: ConnectionEventRow[][] = [];
  let current: ConnectionEventRow[] = [];
  let highest = -1;
  for (const event of events) {
    const order = ORDER[event.step as ConnectionStep] ?? 0;
    const last = current.at(-1);
    const restart = last !== undefined && (
      event.at.getTime() - last.at.getTime() > ATTEMPT_GAP_MS
      || order < highest
      // A second authorization request (or registration) is the client trying again.
      || ((event.step === 'authorize' || event.step === 'registration') && current.some((step) => step.step === event.step))
    );
    if (restart) {
      attempts.push(current);
      current = [];
      highest = -1;
    }
    current.push(event);
    highest = Math.max(highest, order);
  }
  if (current.length > 0) attempts.push(current);
  return attempts;
}

function diagnose(clientId: string | null, events: readonly ConnectionEventRow[]): DiagnosedAttempt {
  const steps = events.map((event): AttemptStep => ({
    at: event.at.toISOString(),
    step: event.step as ConnectionStep,
    outcome: event.outcome === 'failed' ? 'failed' : 'ok',
    detail: event.detail,
    ...(event.rule ? { rule: event.rule } : {}),
  }));
  const attempt: DiagnosedAttempt = { client_id: clientId, started_at: steps[0]?.at ?? new Date(0).toISOString(), steps, failed: false };
  // The failure that decided it: a refusal the client got past (a 404 on one well-known path
  // before the next, a step-up) is not what broke the connection.
  const decisive = events.find((event, index) => event.outcome === 'failed' && !events.slice(index + 1).some((later) => later.step === event.step && later.outcome === 'ok'));
  const firstFailure = decisive ?? events.find((event) => event.outcome === 'failed');
  if (firstFailure) {
    const rule = ruleFor(firstFailure.rule);
    const facts = (firstFailure.facts ?? {}) as ConnectionFacts;
    attempt.diagnosis = `${firstFailure.step} failed [${firstFailure.rule ?? 'unclassified'}]: ${rule.explain(facts)}; fix: ${rule.fix(facts)} (${rule.ref})`;
    attempt.plain = rule.plain;
  }
  // "Failed" is about how it ended: a refusal followed by success (a step-up) is not a broken connection.
  attempt.failed = events.at(-1)?.outcome === 'failed';
  return attempt;
}

/** The JSON document of `pnpm admin doctor --json`: exactly the shape. */
export function publicAttempt({ client_id, started_at, steps, diagnosis }: DiagnosedAttempt): Attempt {
  return { client_id, started_at, steps, ...(diagnosis !== undefined ? { diagnosis } : {}) };
}
