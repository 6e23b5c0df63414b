// Raters simulated through the db layer, for fast result tests (shared with scripts/simulate-raters.ts).
export { simulateRaters } from '../../scripts/lib/simulate-raters.js';
