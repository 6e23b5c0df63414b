// A batch's lifecycle, in one place for the API, the console and the CLI: draft → open ⇄ paused →
// closed. Closing is final: nobody new enters, and raters already inside may finish (until their
// time runs out) and get their completion code, so closing never strands anyone mid-session.
import type { BatchStatusName } from './participant-step.js';

const TRANSITIONS: Record<BatchStatusName, readonly BatchStatusName[]> = {
  draft: ['open'],
  open: ['paused', 'closed'],
  paused: ['open', 'closed'],
  closed: [],
};

export function canChangeStatus(from: BatchStatusName, to: BatchStatusName): boolean {
  return TRANSITIONS[from].includes(to);
}

export type BatchActionName = 'open' | 'pause' | 'close';

/** Lifecycle actions as URLs and commands name them, and the status each leads to. */
export const BATCH_ACTIONS: readonly (readonly [BatchActionName, BatchStatusName])[] = [
  ['open', 'open'],
  ['pause', 'paused'],
  ['close', 'closed'],
];

/** The action whose result is `status` (audit rows name the action, not the status). */
export function actionLeadingTo(status: BatchStatusName): BatchActionName {
  const found = BATCH_ACTIONS.find(([, to]) => to === status);
  if (!found) throw new Error(`no action leads to ${status}`);
  return found[0];
}

/** The actions a batch in `status` can take now (the console shows only these). */
export function allowedActions(status: BatchStatusName): BatchActionName[] {
  return BATCH_ACTIONS.filter(([, to]) => canChangeStatus(status, to)).map(([action]) => action);
}
