// A pElo query naming an anchor or category the dataset does not have: a 400 that lists its own.
import type { DatasetEloOutcome } from '../results/analysis.js';
import { HttpError } from './http-error.js';

/** An anchor or category the dataset does not have: say which ones it has. */
export function eloQueryError(outcome: Extract<DatasetEloOutcome, { ok: false }>): HttpError {
  const what = outcome.reason === 'unknown-anchor' ? 'anchor' : 'category';
  const has = outcome.reason === 'unknown-anchor' ? 'models' : 'categories';
  return new HttpError(400, 'invalid_request', `query.${what}: "${outcome.value}" is not in this dataset; its ${has} are: ${outcome.known.join(', ')}.`);
}
