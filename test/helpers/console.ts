// Console sessions for tests: accounts, a signed-in supertest agent and its CSRF token.
import type { Express } from 'express';
import request from 'supertest';
import { createAccount, type Role } from '../../src/db/accounts.js';
import type { Prisma } from '../../src/db/connection.js';
import { TEST_ACTOR } from './actor.js';

export const PASSWORD = 'correct horse battery';

export async function makeAccount(prisma: Prisma, email: string, role: Role): Promise<void> {
  const created = await createAccount(prisma, { email, password: PASSWORD, role }, TEST_ACTOR);
  if (!created.ok) throw new Error(created.reason);
}

/** The form token of a page: `_csrf` on console pages, `csrf` on survey pages. */
export function csrfFrom(html: string): string {
  const m = /name="_?csrf" value="([^"]+)"/.exec(html);
  if (!m) throw new Error(`no CSRF field on the page:\n${html.slice(0, 500)}`);
  return m[1] as string;
}

export interface ConsoleSession {
  agent: ReturnType<typeof request.agent>;
  /** A fresh CSRF token for this session (read from a console page, as a browser would). */
  csrf(): Promise<string>;
}

export async function signIn(app: Express, email: string, password = PASSWORD): Promise<ConsoleSession> {
  const agent = request.agent(app);
  const page = await agent.get('/console/sign-in');
  const res = await agent.post('/console/sign-in').type('form').send({ _csrf: csrfFrom(page.text), email, password });
  if (res.status !== 303) throw new Error(`sign-in failed with ${res.status}`);
  return { agent, csrf: async () => csrfFrom((await agent.get('/console/batches')).text) };
}

/** An agent with no account but a valid anonymous CSRF pair (from the sign-in page). */
export async function anonymous(app: Express): Promise<ConsoleSession> {
  const agent = request.agent(app);
  return { agent, csrf: async () => csrfFrom((await agent.get('/console/sign-in')).text) };
}

/** An admin and a researcher account (admin@example.org, reader@example.org), each signed in. */
export async function signInAdminAndResearcher(app: Express, prisma: Prisma): Promise<{ admin: ConsoleSession; researcher: ConsoleSession }> {
  await makeAccount(prisma, 'admin@example.org', 'admin');
  await makeAccount(prisma, 'reader@example.org', 'researcher');
  return { admin: await signIn(app, 'admin@example.org'), researcher: await signIn(app, 'reader@example.org') };
}
