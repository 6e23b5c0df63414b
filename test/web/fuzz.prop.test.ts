// Fuzzing every route (participant, console, API) with bad ids, wrong types, broken encodings and
// oversize fields: whatever arrives, the answer is never a 5xx and the app keeps serving.
import fc from 'fast-check';
import request from 'supertest';
import { afterAll, beforeAll, expect, it } from 'vitest';
import type { Batch } from '../../src/db/batches.js';
import { makeAccount, signIn, type ConsoleSession } from '../helpers/console.js';
import { createOpenBatch, Rater } from '../helpers/rater.js';
import { listRoutes, type RouteInfo } from '../helpers/routes.js';
import { createTestApp, type TestApp } from '../helpers/test-app.js';

let t: TestApp;
let batch: Batch;
let admin: ConsoleSession;
let rater: Rater;
let routes: RouteInfo[];

beforeAll(async () => {
  t = await createTestApp();
  batch = await createOpenBatch(t.db, { raters: 1000 }, 150);
  await makeAccount(t.db.prisma, 'fuzz@example.org', 'admin');
  admin = await signIn(t.app, 'fuzz@example.org');
  rater = new Rater(t.app, batch);
  await rater.consentAndStart();
  // Sign-out would end the session the fuzzer uses; every other route is fair game.
  routes = listRoutes(t.app).filter((r) => r.path !== '/console/sign-out');
});
afterAll(async () => {
  await t?.drop();
});

/** Raw path segments: valid ids, junk, NUL, broken percent-encoding, unicode, very long. */
const segment = () =>
  fc.oneof(
    fc.constantFrom(batch.id, batch.datasetId, 'b_doesnotexist', '0', '-1', '99999999999999999999', 'null', '..', '%00', '%ff%fe', '%E0%A4%A', '%', '%2e%2e', '%u0000'),
    fc.string({ maxLength: 20 }).map(encodeURIComponent),
    fc.string({ unit: 'binary', maxLength: 10 }).map(encodeURIComponent),
    fc.constant('x'.repeat(3000)),
  );

/** Field values of every type and size a client could send. */
const value = (): fc.Arbitrary<unknown> =>
  fc.oneof(
    fc.string({ maxLength: 30 }),
    fc.string({ unit: 'binary', maxLength: 30 }),
    fc.integer(),
    fc.double(),
    fc.boolean(),
    fc.constant(null),
    fc.constantFrom('\u0000', 'a\u0000b', String(2 ** 31), '1e400', 'NaN', '-0', 'x'.repeat(200_000)),
    fc.array(fc.string({ maxLength: 10 }), { maxLength: 5 }),
    fc.dictionary(fc.string({ maxLength: 8 }), fc.string({ maxLength: 8 }), { maxKeys: 3 }),
  );

const text = (v: unknown): string => (typeof v === 'string' ? v : JSON.stringify(v) ?? 'undefined');

const fieldNames = fc.constantFrom('csrf', '_csrf', 'position', 'option', 'decision', 'name', 'seed', 'dataset', 'questions', 'raters', 'completionCode', 'email', 'password', 'role', 'by', 'format', 'rounds', 'key', 'n', 'PROLIFIC_PID', 'STUDY_ID', 'SESSION_ID', 'batches', 'includePartial', 'next');

const requestArb = () =>
  fc.record({
    route: fc.constantFrom(...routes),
    params: fc.array(segment(), { minLength: 3, maxLength: 3 }),
    query: fc.dictionary(fieldNames, value().map(text), { maxKeys: 4 }),
    body: fc.dictionary(fieldNames, value(), { maxKeys: 5 }),
    bodyType: fc.constantFrom('form', 'json', 'raw'),
    who: fc.constantFrom('anonymous', 'admin', 'token', 'rater'),
  });

it('answers 5,000 fuzzed requests over every route without a 5xx', async () => {
  let sent = 0;
  await fc.assert(
    fc.asyncProperty(requestArb(), async (r) => {
      let i = 0;
      const path = r.route.path.replace(/:[A-Za-z]+/g, () => r.params[i++ % 3] as string);
      const query = new URLSearchParams(r.query).toString();
      const url = `${path}${query ? `?${query}` : ''}`;
      const agent = r.who === 'admin' ? admin.agent : r.who === 'rater' ? rater.agent : request(t.app);
      let req = r.route.method === 'GET' ? agent.get(url) : agent.post(url);
      if (r.who === 'token') req = req.set(t.auth);
      if (r.route.method !== 'GET') {
        req =
          r.bodyType === 'json'
            ? req.send(r.body as object)
            : r.bodyType === 'form'
              ? req.type('form').send(Object.fromEntries(Object.entries(r.body).map(([k, v]) => [k, text(v)])))
              : req.set('Content-Type', 'application/x-ndjson').send(JSON.stringify(r.body));
      }
      const res = await req;
      sent++;
      if (res.status >= 500) throw new Error(`${r.route.method} ${url.slice(0, 300)} as ${r.who} → ${res.status}: ${res.text.slice(0, 300)}`);
    }),
    { numRuns: 5000, seed: 20261127 },
  );
  expect(sent).toBeGreaterThanOrEqual(5000);
  // Still serving: a rater of a fresh batch can enter and reach the consent page.
  expect(await new Rater(t.app, await createOpenBatch(t.db, {}, 120)).enter()).toContain('name="decision"');
}, 600_000);
