// Text keys used to compare categories and phrases (SPEC 1 and 2).

/** Category and topic names are compared after trimming and case-folding (SPEC 1). */
export function labelKey(name: string): string {
  return name.trim().toLowerCase();
}

/**
 * Phrases must be pairwise distinct after this normalisation (SPEC 2):
 * trim, case-fold, collapse whitespace, strip final punctuation.
 */
export function phraseKey(phrase: string): string {
  return phrase
    .trim()
    .toLowerCase()
    .replace(/\s+/gu, ' ')
    .replace(/[\p{P}\s]+$/u, '');
}
