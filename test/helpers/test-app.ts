// An app wired to a test database, plus an API token for it.
import type { Express } from 'express';
import { createApiToken } from '../../src/db/api-tokens.js';
import type { ProlificClient } from '../../src/prolific/client.js';
import { createApp } from '../../src/web/app.js';
import { createTestDatabase, type TestDatabase } from './test-database.js';
import { TEST_ACTOR } from './actor.js';

export interface TestApp extends TestDatabase {
  app: Express;
  token: string;
  auth: { Authorization: string };
  /** Errors the app logged as 5xx (tests assert there are none unless expected). */
  logged: unknown[];
}

export async function createTestApp(overrides: { prolificCompleteUrl?: string; loadDemo?: boolean; prolific?: ProlificClient } = {}): Promise<TestApp> {
  const database = await createTestDatabase();
  const logged: unknown[] = [];
  const app = createApp({
    db: database.db,
    config: {
      production: true,
      maxUploadBytes: 5 * 1024 * 1024,
      prolificCompleteUrl: overrides.prolificCompleteUrl ?? 'https://app.prolific.com/submissions/complete',
      publicBaseUrl: null,
      secret: 'test-secret-test-secret-test-secret-0123',
      secureCookies: false,
      loadDemo: overrides.loadDemo ?? false,
    },
    log: (err) => logged.push(err),
    prolific: overrides.prolific ?? null,
  });
  const { token } = await createApiToken(database.db.prisma, { name: 'tests', accountId: null }, TEST_ACTOR);
  return { ...database, app, token, auth: { Authorization: `Bearer ${token}` }, logged };
}
