// Participant cookies and form tokens: a cookie gives access only to its own participant's session.
import { createHash, timingSafeEqual } from 'node:crypto';
import type { Request, RequestHandler, Response } from 'express';
import { z } from 'zod';
import { findBatchById } from '../../db/batches.js';
import type { Database, Prisma } from '../../db/connection.js';
import type { Participant } from '../../db/participants.js';
import type { RaterKey } from '../../db/questions.js';
import { findRaterByCode } from '../../db/raters.js';
import { batchIdSchema, findBatchOr } from '../batch-param.js';
import { readCookie } from '../cookies.js';
import { HttpError } from '../http-error.js';
import '../locals.js';

/** Participant codes are url-safe base64: anything else (NUL, broken encodings) is not ours. */
const participantCodeSchema = z.string().regex(/^[\w-]{16,64}$/);

export function participantCookieName(batchId: string): string {
  return `pb_p_${batchId}`;
}

export function setParticipantCookie(res: Response, batchId: string, code: string, secure: boolean): void {
  res.cookie(participantCookieName(batchId), code, {
    httpOnly: true,
    sameSite: 'lax',
    secure,
    path: `/s/${batchId}`,
    maxAge: 14 * 24 * 3600 * 1000,
  });
}

/** The participant code in this batch's cookie, if it has the shape of one. */
export function readParticipantCode(req: Request, batchId: string): string | null {
  return readCookie(req, participantCookieName(batchId), participantCodeSchema);
}

/** Synchronizer token bound to the participant's secret code: a forged form cannot know it. */
export function formToken(participant: Pick<Participant, 'code'>): string {
  return createHash('sha256').update(`${participant.code}:form`).digest('base64url');
}

export function checkFormToken(participant: Pick<Participant, 'code'>, token: unknown): boolean {
  if (typeof token !== 'string') return false;
  const expected = Buffer.from(formToken(participant));
  const given = Buffer.from(token);
  return expected.length === given.length && timingSafeEqual(expected, given);
}

const studyNotFound = () => new HttpError(404, 'study_not_found', 'This study link is not valid. Please open the study again from Prolific.');

/** The batch id of the path, or a 404 page for anything that cannot be one. */
export function batchIdOf(req: Request): string {
  const parsed = batchIdSchema.safeParse(req.params.batchId);
  if (!parsed.success) throw studyNotFound();
  return parsed.data;
}

/**
 * Guarantees res.locals.batch (404 page otherwise). Not a router.param: the answer route, the hot
 * path, reads no batch of its own.
 */
export function loadBatch(prisma: Prisma): RequestHandler {
  return async (req, res, next) => {
    res.locals.batch = await findBatchOr(prisma, req.params.batchId, studyNotFound);
    next();
  };
}

/** Guarantees res.locals.rater: the cookie holder of this batch and their batch (one read), or shows how to get back in. */
export function loadRater(db: Pick<Database, 'prisma' | 'sql'>): RequestHandler {
  return async (req, res, next) => {
    const key = raterKeyOf(req);
    const rater = key ? await findRaterByCode(db.sql, key) : null;
    if (!rater) return renderNoRater(db.prisma, req, res);
    res.locals.rater = rater;
    next();
  };
}

/** The batch and the cookie's participant code: a claim, checked by the statement that uses it. */
export function raterKeyOf(req: Request): RaterKey | null {
  const batchId = batchIdOf(req);
  const code = readParticipantCode(req, batchId);
  return code ? { batchId, code } : null;
}

/** No participant behind the cookie: a 404 for a batch that does not exist, else the way back in. */
export async function renderNoRater(prisma: Prisma, req: Request, res: Response): Promise<void> {
  if (!(await findBatchById(prisma, batchIdOf(req)))) throw studyNotFound();
  res.status(400).render('participant/open-from-prolific', { title: 'Open the study from Prolific' });
}
