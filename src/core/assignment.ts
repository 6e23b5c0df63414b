// What a rater's questions look like (SPEC 3 and 5): question order and option order shuffled per
// rater, `other` always last, the preferred side per the batch setting. Which tasks a rater gets
// (least-rated first) is decided by the database, which alone sees every concurrent rater.
import { shuffled, type Rng } from './rng.js';

/** Option ids in a random order with the `other` option always last (SPEC 3). */
export function orderOptions(optionIds: readonly string[], otherId: string, rng: Rng): string[] {
  return [...shuffled(optionIds.filter((id) => id !== otherId), rng), otherId];
}

/** A task as planning needs it: its options' ids and which one is `other`. */
export interface TaskOptionsForPlan {
  taskId: string;
  options: readonly { id: string; kind: string }[];
}

export interface PlannedQuestion {
  taskId: string;
  optionOrder: string[];
  /** False when the batch randomises sides and the preferred response is shown second. */
  preferredFirst: boolean;
}

/**
 * One question's presentation: option order (sorted ids shuffled, `other` last) and side. The
 * sort makes the result depend only on the options and the rng, never on the order rows arrived.
 */
export function planQuestion(task: TaskOptionsForPlan, preferredSide: 'first' | 'random', rng: Rng): PlannedQuestion {
  const other = task.options.find((o) => o.kind === 'other');
  if (!other) throw new Error(`task ${task.taskId} has no "other" option`);
  const optionOrder = orderOptions(task.options.map((o) => o.id).sort(), other.id, rng);
  return { taskId: task.taskId, optionOrder, preferredFirst: preferredSide === 'first' || rng.next() < 0.5 };
}

/** A rater's questions in a random order (tasks sorted by id first, so row order never matters). */
export function planQuestions(tasks: readonly TaskOptionsForPlan[], preferredSide: 'first' | 'random', rng: Rng): PlannedQuestion[] {
  const ordered = shuffled([...tasks].sort((a, b) => (a.taskId < b.taskId ? -1 : a.taskId > b.taskId ? 1 : 0)), rng);
  return ordered.map((task) => planQuestion(task, preferredSide, rng));
}

/**
 * Random tie-break keys in [0, 1) for the tasks a rater takes: redrawn at each assignment, so the
 * tasks sharing a load level are met in a new random order every round.
 */
export function drawKeys(count: number, rng: Rng): number[] {
  return Array.from({ length: count }, () => rng.next());
}

/** How many tasks a batch freezes: enough for every rater's questions at `ratingsPerTask` each. */
export function tasksNeeded(batch: { raters: number; questions: number; ratingsPerTask: number | null }): number {
  return Math.ceil((batch.raters * batch.questions) / (batch.ratingsPerTask ?? 1));
}
