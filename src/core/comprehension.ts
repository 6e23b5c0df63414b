// The optional comprehension question (PROLIFIC.md): at the start, with two tries; a rater who gets
// it wrong twice is asked to return the study (not rejected), before spending real time on it.

/** The question and its choices; `correct` is the key of the right one. Shown in this order. */
export const COMPREHENSION_QUESTION = {
  text: 'Before you start: in this study, which reasons should you tick for a question?',
  choices: [
    { key: 'own', text: 'The reasons why I personally prefer one of the two responses' },
    { key: 'most', text: 'The reasons why most people preferred the response marked as preferred' },
    { key: 'all', text: 'Every reason in the list, to be safe' },
    { key: 'longest', text: 'Only the reason that is the longest' },
  ],
  correct: 'most',
} as const;

export type ComprehensionChoice = (typeof COMPREHENSION_QUESTION.choices)[number]['key'];

/** Tries allowed before the rater is asked to return (Prolific: at least two chances). */
export const COMPREHENSION_TRIES = 2;

export type ComprehensionOutcome = 'passed' | 'try-again' | 'failed';

/** What an answer means after `triesBefore` wrong answers. */
export function comprehensionOutcome(choice: string, triesBefore: number): ComprehensionOutcome {
  if (choice === COMPREHENSION_QUESTION.correct) return 'passed';
  return triesBefore + 1 >= COMPREHENSION_TRIES ? 'failed' : 'try-again';
}
