// Who the audit log names for changes a test makes directly through the db layer.
import type { Actor } from '../../src/db/audit.js';

export const TEST_ACTOR: Actor = { name: 'test', accountId: null };
