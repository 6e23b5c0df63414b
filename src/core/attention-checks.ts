// Instructional attention checks (PROLIFIC.md, Prolific's policy): each looks like a study question
// but its own text says exactly which one option to tick. Placed at random after the first few
// questions, never first; they repeat an earlier question's conversation, so they need no content
// of their own, and rely on no memory: the instruction is on the page.
import { shuffled, type Rng } from './rng.js';
import type { PlannedQuestion } from './assignment.js';

/** DECISIONS: two checks in the standard 20-question study; 0 allowed. */
export const DEFAULT_ATTENTION_CHECKS = 2;

/** Study questions answered before the first check can come ("after the first few questions"). */
const EARLIEST_CHECK = 3;

/**
 * The instruction texts, varied so a rater meets a new wording each time. `{target}` is the
 * option to tick, quoted as shown. Index = the `wording` stored with each check (append only).
 */
export const CHECK_WORDINGS: readonly string[] = [
  'This question checks attention: please tick only “{target}” and nothing else.',
  'For this question, whatever you think of the responses, tick only “{target}”.',
  'Please ignore the responses this time and tick just one option: “{target}”.',
  'Attention check: the right answer here is to tick “{target}” alone.',
  'To show you are reading carefully, select only the option “{target}” below.',
];

/** The instruction a rater reads for a check. */
export function checkInstruction(wording: number, targetText: string): string {
  const template = CHECK_WORDINGS[wording % CHECK_WORDINGS.length] as string;
  return template.replace('{target}', targetText);
}

/** How many checks a batch of `questions` study questions may carry: never before the first question. */
export function maxAttentionChecks(questions: number): number {
  return Math.max(0, questions - 1);
}

/** The checks a batch gets when the researcher does not say: the default, fewer in very short batches. */
export function defaultAttentionChecks(questions: number): number {
  return Math.min(DEFAULT_ATTENTION_CHECKS, maxAttentionChecks(questions));
}

export interface PlannedCheck {
  /** Shown before the study question at this 0-based position (after that many study answers). */
  beforePosition: number;
  /** The earlier question whose conversation and options the check shows again. */
  sourceTaskId: string;
  optionOrder: string[];
  preferredFirst: boolean;
  targetOptionId: string;
  wording: number;
}

/**
 * Places `count` checks among a rater's planned questions: distinct random slots after at least
 * min(3, …) study answers and before the last question (so a session always ends on a study
 * question), each repeating the question just before it with its options reshuffled (the last,
 * `other`, kept last) and one
 * option, chosen at random, as the target. Throws if `count` exceeds maxAttentionChecks.
 */
export function planAttentionChecks(questions: readonly PlannedQuestion[], count: number, rng: Rng): PlannedCheck[] {
  if (count > maxAttentionChecks(questions.length)) throw new Error(`${count} checks do not fit among ${questions.length} questions`);
  if (count === 0) return [];
  const earliest = Math.max(1, Math.min(EARLIEST_CHECK, questions.length - count));
  const slots = Array.from({ length: questions.length - earliest }, (_, i) => earliest + i);
  const chosen = shuffled(slots, rng).slice(0, count).sort((a, b) => a - b);
  const wordings = shuffled(CHECK_WORDINGS.map((_, i) => i), rng);
  return chosen.map((beforePosition, i) => {
    const source = questions[beforePosition - 1] as PlannedQuestion;
    // Reshuffled like any question: `other` stays last (SPEC 3), so a check looks like the rest.
    const optionOrder = [...shuffled(source.optionOrder.slice(0, -1), rng), ...source.optionOrder.slice(-1)];
    return {
      beforePosition,
      sourceTaskId: source.taskId,
      optionOrder,
      preferredFirst: source.preferredFirst,
      targetOptionId: optionOrder[rng.int(optionOrder.length)] as string,
      wording: wordings[i % wordings.length] as number,
    };
  });
}

/** A check is passed when exactly its target was ticked. */
export function checkPassed(selectedOptionIds: readonly string[], targetOptionId: string): boolean {
  const selected = new Set(selectedOptionIds);
  return selected.size === 1 && selected.has(targetOptionId);
}
