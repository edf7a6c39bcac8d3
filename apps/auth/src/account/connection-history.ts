import type { PrismaClient } from '@omnichat/db';
import { buildAttempts, findConnectionEvents, type ConnectionStep, type DiagnosedAttempt } from '@omnichat/doctor';

import type { ConnectedApp } from '../views/account.js';

/** How many of an app's attempts the account page lists. */
const SHOWN_ATTEMPTS = 3;

/** How an attempt ended, in the words of the person who made it: the last step that went well... */
const DONE: Record<ConnectionStep, string> = {
  discovery: 'Looked up this server',
  registration: 'Registered with this server',
  authorize: 'Asked to connect',
  'sign-in': 'Signed in',
  consent: 'Allowed access',
  token: 'Connected',
  mcp: 'Connected',
  refresh: 'Renewed access',
};

/** ...or the step that failed. */
const FAILED: Record<ConnectionStep, string> = {
  discovery: 'Failed: could not find this server\'s settings',
  registration: 'Failed: the app could not register',
  authorize: 'Failed: the connection request was refused',
  'sign-in': 'Failed: signing in did not work',
  consent: 'Not allowed',
  token: 'Failed: the app could not get access',
  mcp: 'Failed: the app\'s access was refused',
  refresh: 'Failed: the app could not renew its access',
};

/**
 * Adds the connection doctor's view to each connected app: its last attempts and, when the last
 * one failed, why in plain words. Only this account's own steps are shown, plus the anonymous
 * steps (before sign-in) of a registered client, which serves one connection; a shared client
 * (a CIMD URL client_id serves every user) shows only steps tied to this account.
 */
export async function withConnectionHistory(prisma: PrismaClient, accountId: string, apps: ConnectedApp[], retentionHours: number, now: Date = new Date()): Promise<ConnectedApp[]> {
  if (apps.length === 0) return apps;
  const since = new Date(now.getTime() - retentionHours * 3_600_000);
  const rows = await findConnectionEvents(prisma, { since, clientIds: apps.map((app) => app.clientId), userId: accountId });
  const own = rows.filter((row) => row.clientId !== null && (row.userId === accountId || (row.userId === null && !/^https?:/.test(row.clientId))));
  const attempts = buildAttempts(own);
  return apps.map((app) => {
    const mine = attempts.filter((attempt) => attempt.client_id === app.clientId).slice(0, SHOWN_ATTEMPTS);
    const latest = mine[0];
    return {
      ...app,
      attempts: mine.map(summary),
      ...(latest?.failed && latest.plain ? { problem: latest.plain } : {}),
    };
  });
}

function summary(attempt: DiagnosedAttempt): { at: Date; summary: string; failed: boolean } {
  const last = attempt.steps.at(-1);
  const text = !last ? 'Started' : attempt.failed ? FAILED[last.step] : DONE[last.step];
  return { at: new Date(attempt.started_at), summary: text, failed: attempt.failed };
}
