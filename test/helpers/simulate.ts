// Raters simulated through the db layer, for fast result tests (shared with scripts/simulate-raters.ts).
export { simulateRaters } from '../../src/cli/simulate-raters.js';
