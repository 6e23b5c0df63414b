// Dataset uploads in the console (issue 10.4): the multipart body is read only after sign-in, the
// admin role and the CSRF check; one upload per account at a time; the file goes to disk, not memory.
import http from 'node:http';
import request from 'supertest';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { serve, type Served } from '../helpers/browser.js';
import { csrfFrom, signInAdminAndResearcher, type ConsoleSession } from '../helpers/console.js';
import { datasetLine, toJsonlText } from '../helpers/datasets.js';
import { createTestApp, type TestApp } from '../helpers/test-app.js';

let t: TestApp;
let served: Served;
let admin: ConsoleSession;
let researcher: ConsoleSession;
beforeAll(async () => {
  t = await createTestApp();
  ({ admin, researcher } = await signInAdminAndResearcher(t.app, t.db.prisma));
  served = await serve(t.app);
});
afterAll(async () => {
  await served?.close();
  await t?.drop();
});

const BOUNDARY = 'pb-test-boundary';

/** Cookies of a supertest agent for a raw request. */
async function cookiesOf(session: ConsoleSession): Promise<string> {
  const page = await session.agent.get('/console/datasets');
  const jar = (session.agent as unknown as { jar: { getCookies: (a: { domain: string; path: string; secure: boolean; script: boolean }) => { toValueString(): string }[] } }).jar;
  expect(page.status).toBe(200);
  return jar.getCookies({ domain: '127.0.0.1', path: '/', secure: false, script: false }).map((c) => c.toValueString()).join('; ');
}

/**
 * Starts a multipart upload whose body never ends (headers and a first chunk only) and resolves
 * with the status of the response, if the server answers before the body is complete.
 */
function startEndlessUpload(cookie: string, csrf: string): { status: Promise<number>; abort: () => void } {
  const req = http.request(`${served.url}/console/datasets?_csrf=${encodeURIComponent(csrf)}`, {
    method: 'POST',
    headers: { Cookie: cookie, 'Content-Type': `multipart/form-data; boundary=${BOUNDARY}`, 'Content-Length': String(200 * 1024 * 1024) },
  });
  const status = new Promise<number>((resolve, reject) => {
    req.on('response', (res) => {
      res.resume();
      resolve(res.statusCode ?? 0);
    });
    req.on('error', reject);
  });
  // Aborting an upload the server never answered rejects it: that is expected, not an error.
  status.catch(() => undefined);
  req.write(`--${BOUNDARY}\r\nContent-Disposition: form-data; name="name"\r\n\r\nbig\r\n--${BOUNDARY}\r\nContent-Disposition: form-data; name="file"; filename="big.jsonl"\r\n\r\n`);
  req.write('x'.repeat(64 * 1024));
  return { status, abort: () => req.destroy() };
}

const within = <T>(p: Promise<T>, ms: number) => Promise.race([p, new Promise<never>((_, reject) => setTimeout(() => reject(new Error(`no answer within ${ms} ms`)), ms))]);

describe('console dataset upload', () => {
  it('imports a file an admin uploads with the form (token in the action URL)', async () => {
    const page = await admin.agent.get('/console/datasets');
    const action = /action="(\/console\/datasets\?_csrf=[^"]+)"/.exec(page.text)?.[1]?.replaceAll('&amp;', '&');
    expect(action).toBeDefined();
    const res = await admin.agent.post(action as string).field('name', 'uploaded').attach('file', Buffer.from(toJsonlText([datasetLine(1), datasetLine(2)])), 'data.jsonl');
    expect(res.status).toBe(303);
    expect((await t.db.prisma.dataset.findUniqueOrThrow({ where: { name: 'uploaded' } })).datapointCount).toBe(2);
  });

  it("refuses a researcher's upload before reading its body", async () => {
    const cookie = await cookiesOf(researcher);
    const upload = startEndlessUpload(cookie, await researcher.csrf());
    expect(await within(upload.status, 3000)).toBe(403);
    upload.abort();
  });

  it('refuses an anonymous upload before reading its body', async () => {
    const signInPage = await request(served.url).get('/console/sign-in');
    const cookie = (signInPage.headers['set-cookie'] as unknown as string[]).map((c) => c.split(';')[0]).join('; ');
    const upload = startEndlessUpload(cookie, csrfFrom(signInPage.text));
    expect(await within(upload.status, 3000)).toBe(401);
    upload.abort();
  });

  it('takes one upload per account at a time', async () => {
    const cookie = await cookiesOf(admin);
    const csrf = await admin.csrf();
    const first = startEndlessUpload(cookie, csrf);
    await new Promise((resolve) => setTimeout(resolve, 200));
    const second = startEndlessUpload(cookie, csrf);
    expect(await within(second.status, 3000)).toBe(429);
    second.abort();
    first.abort();
  });
});
