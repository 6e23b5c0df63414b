// How often an LLM evaluator decides the same way when asked again with another option order:
// over the tasks both runs answered, the share of the six option kinds ticked alike.
import { OPTION_KINDS } from './option-kinds.js';

export interface SelfConsistency {
  /** Tasks both runs answered. */
  tasks: number;
  /** Share of (task, kind) decisions that agree; null when no task was answered by both. */
  agreement: number | null;
}

/** `a` and `b`: each run's selected kinds per task, as kind bits (option-kinds.ts kindBit). */
export function selfConsistency(a: ReadonlyMap<string, number>, b: ReadonlyMap<string, number>): SelfConsistency {
  let tasks = 0;
  let agreeing = 0;
  for (const [taskId, bitsA] of a) {
    const bitsB = b.get(taskId);
    if (bitsB === undefined) continue;
    tasks++;
    for (let k = 0; k < OPTION_KINDS.length; k++) if (((bitsA ^ bitsB) >> k) % 2 === 0) agreeing++;
  }
  return { tasks, agreement: tasks === 0 ? null : agreeing / (tasks * OPTION_KINDS.length) };
}
