// Which tasks a rater gets and in what order (issue 3, SPEC 3 and 5): least-rated tasks first,
// ties broken at random, then question order and option order shuffled per rater.
import { shuffled, type Rng } from './rng.js';

export interface TaskLoad {
  taskId: string;
  /** Raters (not declined or returned) this task is already assigned to. */
  load: number;
}

/**
 * Picks `count` distinct tasks with the smallest loads (random among equal loads) and returns them
 * in a random question order. Greedy least-loaded picking keeps every task's final load within 1 of
 * every other's when all raters finish. Throws if there are fewer than `count` tasks.
 */
export function chooseTasksForRater(loads: readonly TaskLoad[], count: number, rng: Rng): string[] {
  if (loads.length < count) throw new RangeError(`need ${count} tasks, the batch has ${loads.length}`);
  // Shuffle first, then a stable sort by load: equal loads stay in random order.
  const chosen = shuffled(loads, rng)
    .sort((a, b) => a.load - b.load)
    .slice(0, count)
    .map((t) => t.taskId);
  return shuffled(chosen, rng);
}

/** Option ids in a random order with the `other` option always last (SPEC 3). */
export function orderOptions(optionIds: readonly string[], otherId: string, rng: Rng): string[] {
  return [...shuffled(optionIds.filter((id) => id !== otherId), rng), otherId];
}

/** How many tasks a batch freezes: enough for every rater's questions at `ratingsPerTask` each. */
export function tasksNeeded(batch: { raters: number; questions: number; ratingsPerTask: number | null }): number {
  return Math.ceil((batch.raters * batch.questions) / (batch.ratingsPerTask ?? 1));
}
